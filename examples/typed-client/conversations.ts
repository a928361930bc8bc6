import { initGraphQLTada, type ResultOf } from 'gql.tada';
import type { introspection } from '../../schema/src/graphql-env.js';

/** Mailboat's schema; DateTime and Bytes arrive as strings (ISO 8601 in UTC, base64). */
const graphql = initGraphQLTada<{ introspection: introspection; scalars: { DateTime: string; Bytes: string } }>();

/** Pass it to any client that takes a typed document (urql, Apollo Client, graphql-request): result and variables are typed. */
export const ConversationsQuery = graphql(`
  query Conversations($after: String) {
    viewer { conversations(first: 20, after: $after) { edges { node { id title unreadCount updatedAt } } } }
  }
`);

/** Unread messages in the first page of conversations. */
export function unreadTotal(data: ResultOf<typeof ConversationsQuery>): number {
  return data.viewer?.conversations.edges.reduce((sum, { node }) => sum + node.unreadCount, 0) ?? 0;
}
