import { limits } from '@mailboat/schema';

/**
 * The weights of the query cost model (query-cost.ts; README "Limits"). A request's cost is
 * an upper bound of the work it asks for, computed before any of it runs:
 *
 * - every object the answer can hold costs `object` (an edge, a node, a payload, an item of
 *   a list); scalars and enums cost nothing, they come with their object;
 * - a list multiplies what is selected in it by its length: a connection's page size
 *   (`first`/`last`, else limits.pageSize.default), the number of items of the list argument
 *   that sizes it (`nodes(ids:)`, `pushUpdates(updates:) { results }`), or the most the data
 *   allows (`dataBoundedLists`);
 * - every database query a resolver runs adds `query`: once for each top-level field, for
 *   each parent of a connection (one page query each) or of a `perParentQueryFields` field,
 *   and for each item of a `perItemQueryFields` field. Lookups batched through the
 *   request's loaders (authors, users, devices, `nodes`) do not add it.
 *
 * Measured on the reference machine (2 cores, PGlite), one query took ~1.1 ms and resolving
 * one object ~35 µs: hence `query` = 30 objects, and the default MAX_QUERY_COST of 30,000
 * bounds a request to about a second of work.
 */
export const costWeights = { object: 1, query: 30 } as const;

/**
 * Lists no argument sizes, at the most items the data can hold ("Type.field"). Any other
 * such list counts as `unsizedListLength`.
 */
export const dataBoundedLists: Readonly<Record<string, number>> = {
  'Conversation.receipts': limits.groupMembers.max,
  'Message.receipts': limits.groupMembers.max,
  'Message.reactions': limits.groupMembers.max,
  'Message.versions': limits.messageVersions.max,
  'Message.attachments': limits.attachments.perMessage,
};
export const unsizedListLength = limits.pageSize.max;

/**
 * Fields that run their own database query for every parent object they are selected on
 * ("Type.field"), besides connections. Keep in step with the resolvers: a field that starts
 * querying per parent belongs here; one that moves to a loader leaves.
 */
export const perParentQueryFields: ReadonlySet<string> = new Set([
  'Conversation.memberCount',
  'Conversation.unreadCount',
  'Conversation.receipts',
  'Message.conversation',
  'Viewer.device',
  'MarkReceiptPayload.conversation',
  'ConversationAddedEvent.conversation',
  'ConversationUpdatedEvent.conversation',
  'DeviceAddedEvent.device',
]);

/** Fields that open a document (a query unless cached) for each item of their list argument. */
export const perItemQueryFields: ReadonlySet<string> = new Set(['Query.segmentDiffs', 'Mutation.pushUpdates']);

/** Arguments named so are page sizes: at most limits.pageSize.max, default limits.pageSize.default. */
export const pageSizeArguments: ReadonlySet<string> = new Set(['first', 'last']);

/**
 * The most items each list argument (or list field of an input type) may hold, keyed by
 * "Type.field.argument" or "InputType.field". Every list argument of the schema has one (a
 * test walks the schema); one item more is BAD_USER_INPUT naming the argument.
 */
export const listArgumentCaps: Readonly<Record<string, number>> = {
  /** One page of nodes, looked up with one query per type. */
  'Query.nodes.ids': limits.pageSize.max,
  'Query.segmentDiffs.segments': limits.pageSize.max,
  'Mutation.pushUpdates.updates': limits.pushUpdates.max,
  'Mutation.addConversationMembers.userIds': limits.groupMembers.max,
  'SendMessageInput.attachmentIds': limits.attachments.perMessage,
  /** The other members: the creator is one of the group's limits.groupMembers.max. */
  'CreateGroupConversationInput.memberIds': limits.groupMembers.max - 1,
};
