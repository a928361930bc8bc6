import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.js';
import './user.js';
import './device.js';
import './conversation.js';
import './viewer.js';
import './auth.js';
import './conversation-mutations.js';
import './events.js';
import './sync.js';
import './message.js';
import './message-mutations.js';
import './changes.js';
import './receipts.js';
import './presence.js';
import './typing.js';
import './notifications.js';
import './settings.js';
import './attachment.js';

let schema: GraphQLSchema | undefined;

/** The GraphQL schema, built once from every type file above. */
export function buildSchema(): GraphQLSchema {
  schema ??= builder.toSchema({ sortSchema: true });
  return schema;
}
