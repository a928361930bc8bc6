import { requireViewer } from '../auth/authenticate.js';
import { idOf } from '../global-ids.js';
import { setTyping } from '../typing/typing-service.js';
import { builder } from './builder.js';

builder.mutationFields((t) => ({
  setTyping: t.boolean({
    description:
      "Tells the conversation's other members that you are typing (true; send it again every few seconds while you type, each one shows for about 6 s) or stopped (false: cleared at once). Never stored; delivered as TypingEvent on their events streams. Repeats within 2 s are accepted but not sent again. True when accepted. Errors: NOT_FOUND, RATE_LIMITED.",
    args: { conversationId: t.arg.globalID({ required: true }), typing: t.arg.boolean({ required: true }) },
    resolve: (_, a, ctx) => setTyping(ctx, requireViewer(ctx), idOf(a.conversationId, 'Conversation', 'conversationId'), a.typing),
  }),
}));
