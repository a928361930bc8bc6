import type { Reaction } from '../app/model.js';

/** The reactions on a message, grouped by emoji with counts; the viewer's own is highlighted. */
export function Reactions({ reactions, viewerId }: { reactions: Reaction[]; viewerId: string }) {
  if (reactions.length === 0) return null;
  const counts = new Map<string, { count: number; mine: boolean }>();
  for (const r of reactions) {
    const entry = counts.get(r.emoji) ?? { count: 0, mine: false };
    entry.count += 1;
    entry.mine ||= r.userId === viewerId;
    counts.set(r.emoji, entry);
  }
  const summary = [...counts].map(([emoji, { count }]) => `${emoji} ${count}`).join(', ');
  return (
    <div className="reactions" role="img" aria-label={`Reactions: ${summary}`}>
      {[...counts].map(([emoji, { count, mine }]) => (
        <span key={emoji} className={`reaction${mine ? ' is-mine' : ''}`} aria-hidden="true">
          {emoji} {count > 1 && <span className="reaction-count">{count}</span>}
        </span>
      ))}
    </div>
  );
}
