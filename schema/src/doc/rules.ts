import * as Y from 'yjs';
import { isReactionEmoji, isUuid, limits } from '../limits.js';
import { AUTHOR_FIELDS, CREATION_FIELDS, Field, messagesOf } from './model.js';
import { malformed, missing, Placement, type Role, type Struct } from './placement.js';
import { UpdateRefusedError } from './refusals.js';
import { segmentOf } from './segments.js';

/**
 * The write rules, checked on an update before it touches a document: the server runs this
 * on every pushed update (a refused update never reaches the stored state or anyone else),
 * and a client can run it before pushing.
 *
 * Rules: a new message's author is the writer; only the author changes `text`, `editedAt`
 * or `deleted`; a user sets or removes only their own reaction; `id`, `author`, `createdAt`,
 * `replyTo`, `text` and `reactions` are written once, when the message is created, and
 * messages are never removed (they are marked deleted); no other root types or keys;
 * limits on text, emoji and update size; `createdAt` at most a few minutes ahead of `now`
 * and inside the document's segment; every Yjs client ID the update writes with must be
 * the writer's (`mayUseClient`).
 */

export type Writer = { userId: string; mayUseClient: (clientId: number) => boolean };

export type CheckOptions = { segment: number; now: number };

export type CheckResult = {
  /** False when the update holds nothing the document lacks (a duplicate): store nothing. */
  changes: boolean;
  /** Client IDs that write new content (to bind to the writer's device). */
  clients: Set<number>;
  /** Ids of the messages the update creates or changes. */
  messages: Set<string>;
  /** Ids of the messages the update creates (a caller that stores several documents must check they are unused elsewhere). */
  created: Set<string>;
};

type Decoded = { structs: Struct[]; ds: ReturnType<typeof Y.decodeUpdate>['ds'] };
type Content = Y.Item['content'];

const forbidden = (why: string) => new UpdateRefusedError('FORBIDDEN_UPDATE', why);

/** Checks `update` (Yjs v1) against `doc` for `writer`. Throws UpdateRefusedError; never modifies `doc`. */
export function checkUpdate(doc: Y.Doc, update: Uint8Array, writer: Writer, options: CheckOptions): CheckResult {
  if (update.byteLength > limits.updateBytes.max) {
    throw new UpdateRefusedError('UPDATE_TOO_LARGE', `An update may be at most ${limits.updateBytes.max} bytes`);
  }
  let decoded: Decoded;
  try {
    decoded = Y.decodeUpdate(update) as Decoded;
  } catch {
    throw malformed('not a Yjs update');
  }
  return new Checker(doc, decoded, writer, options).run();
}

class Checker {
  private readonly byClient = new Map<number, Struct[]>();
  private readonly fromUpdate = new WeakSet<Struct>();
  private readonly placement: Placement;
  private readonly created = new Map<string, Map<string, Y.Item>>();
  private readonly inserted = new Map<string, number>();
  private readonly removed = new Map<string, number>();
  private readonly result: CheckResult = { changes: false, clients: new Set(), messages: new Set(), created: new Set() };

  constructor(
    private readonly doc: Y.Doc,
    private readonly decoded: Decoded,
    private readonly writer: Writer,
    private readonly options: CheckOptions,
  ) {
    for (const s of decoded.structs) {
      this.fromUpdate.add(s);
      const list = this.byClient.get(s.id.client) ?? [];
      list.push(s);
      this.byClient.set(s.id.client, list);
    }
    for (const list of this.byClient.values()) list.sort((a, b) => a.id.clock - b.id.clock);
    this.placement = new Placement(doc, this.byClient, this.fromUpdate);
  }

  run(): CheckResult {
    const fresh = this.newStructs();
    const items = fresh.filter((s): s is Y.Item => s instanceof Y.Item);
    const withRoles = items.map((item) => [item, this.placement.roleOf(item, 0)] as const);
    for (const [item, role] of withRoles) if (role.kind === 'message') this.createMessage(item, role.id);
    for (const [item, role] of withRoles) if (role.kind !== 'message') this.checkInsertion(item, role);
    this.checkDeletions();
    this.checkCreatedMessages();
    this.checkTextLengths();
    return this.result;
  }

  /** Structs not yet in the document, in order; refuses gaps and foreign client IDs. */
  private newStructs(): Struct[] {
    const out: Struct[] = [];
    for (const [client, list] of this.byClient) {
      const known = this.placement.state(client);
      let next = known;
      for (const s of list) {
        const end = s.id.clock + s.length;
        if (end <= known) continue; // already integrated: a duplicate, harmless
        if (s.id.clock > next || s instanceof Y.Skip) throw missing();
        next = Math.max(next, end);
        if (!this.writer.mayUseClient(client)) throw forbidden(`Yjs client ${client} belongs to another device in this document`);
        this.result.clients.add(client);
        this.result.changes = true;
        out.push(s);
      }
    }
    return out;
  }

  private createMessage(item: Y.Item, id: string): void {
    if (!(item.content instanceof Y.ContentType) || !(item.content.type instanceof Y.Map)) throw forbidden('A message must be a map');
    if (!isUuid(id)) throw forbidden('A message id must be a UUID');
    if (messagesOf(this.doc).has(id) || this.created.has(id)) throw forbidden(`Message ${id} already exists`);
    this.created.set(id, new Map());
    this.result.messages.add(id);
    this.result.created.add(id);
  }

  private authorOf(id: string): unknown {
    if (this.created.has(id)) return this.writer.userId; // checked in checkCreatedMessages
    return messagesOf(this.doc).get(id)?.get(Field.author);
  }

  private requireAuthor(id: string, what: string): void {
    if (this.authorOf(id) !== this.writer.userId) throw forbidden(`Only the author of a message may ${what}`);
  }

  private checkInsertion(item: Y.Item, role: Role): void {
    const deleted = item.content instanceof Y.ContentDeleted;
    switch (role.kind) {
      case 'dropped':
        return;
      case 'foreign':
        throw forbidden(`Not part of the conversation model: ${role.why}`);
      case 'message':
        return;
      case 'field': {
        const fields = this.created.get(role.id);
        if (fields) {
          if (!CREATION_FIELDS.has(role.field)) throw forbidden(`A new message may not set "${role.field.slice(0, 40)}"`);
          if (fields.has(role.field) || deleted) throw forbidden(`A message's ${role.field} is written once`);
          this.checkCreationValue(role.id, role.field, item.content);
          fields.set(role.field, item);
        } else {
          if (!AUTHOR_FIELDS.has(role.field)) {
            throw forbidden(
              CREATION_FIELDS.has(role.field) ? `A message's ${role.field} never changes` : `Unknown field "${role.field.slice(0, 40)}"`,
            );
          }
          this.requireAuthor(role.id, `set ${role.field}`);
          if (!deleted) this.checkAuthorValue(role.field, item.content);
        }
        break;
      }
      case 'textChar':
        this.requireAuthor(role.id, 'change its text');
        if (item.content instanceof Y.ContentString) this.add(this.inserted, role.id, item.content.getLength());
        else if (!deleted) throw forbidden('Message text holds plain text only');
        break;
      case 'reaction':
        if (role.userId !== this.writer.userId) throw forbidden('You may set only your own reaction');
        if (!deleted && !(item.content instanceof Y.ContentAny && item.content.arr.length === 1 && isEmoji(item.content.arr[0]))) {
          throw forbidden('A reaction is one emoji');
        }
        break;
    }
    this.result.messages.add(role.id);
  }

  private checkCreationValue(id: string, field: string, content: Content): void {
    const value = content instanceof Y.ContentAny && content.arr.length === 1 ? content.arr[0] : undefined;
    const ok =
      field === Field.id
        ? value === id
        : field === Field.author
          ? value === this.writer.userId
          : field === Field.createdAt
            ? Number.isSafeInteger(value) && (value as number) > 0 && (value as number) <= this.options.now + limits.futureSkewMs
            : field === Field.replyTo
              ? isUuid(value)
              : field === Field.text
                ? content instanceof Y.ContentType && content.type instanceof Y.Text
                : content instanceof Y.ContentType && content.type instanceof Y.Map; // reactions
    if (ok) return;
    if (field === Field.author) throw forbidden("A new message's author must be the writer");
    if (field === Field.createdAt) throw forbidden('createdAt must be a positive integer no more than a few minutes in the future');
    throw forbidden(`Invalid ${field} for a new message`);
  }

  private checkAuthorValue(field: string, content: Content): void {
    const value = content instanceof Y.ContentAny && content.arr.length === 1 ? content.arr[0] : undefined;
    if (field === Field.deleted && value !== true) throw forbidden('deleted can only be set to true');
    if (field === Field.editedAt && !(Number.isSafeInteger(value) && (value as number) <= this.options.now + limits.futureSkewMs)) {
      throw forbidden('editedAt must be an integer no more than a few minutes in the future');
    }
  }

  private checkDeletions(): void {
    for (const [client, ranges] of this.decoded.ds.clients) {
      for (const { clock, len } of ranges) {
        const end = clock + len;
        const known = this.placement.state(client);
        if (clock < known) {
          const structs = this.doc.store.clients.get(client) as Struct[];
          for (let i = Y.findIndexSS(structs as never, clock); i < structs.length && (structs[i] as Struct).id.clock < end; i++) {
            const s = structs[i] as Struct;
            if (s instanceof Y.Item && !s.deleted) this.checkDeletion(s);
          }
        }
        if (end > known) {
          const list = this.byClient.get(client) ?? [];
          let covered = known;
          for (const s of list) {
            if (s.id.clock + s.length <= Math.max(clock, known) || s.id.clock >= end) continue;
            if (s.id.clock > covered) throw missing();
            covered = s.id.clock + s.length;
            if (s instanceof Y.Item) this.checkDeletion(s);
          }
          if (covered < end) throw missing();
        }
      }
    }
  }

  private checkDeletion(item: Y.Item): void {
    const role = this.placement.roleOf(item, 0);
    switch (role.kind) {
      case 'dropped':
        return;
      case 'foreign':
        throw forbidden(`Not part of the conversation model: ${role.why}`);
      case 'message':
        throw forbidden('Messages are never removed: set deleted instead');
      case 'field':
        if (!AUTHOR_FIELDS.has(role.field) || this.created.has(role.id)) throw forbidden(`A message's ${role.field} never changes`);
        this.requireAuthor(role.id, `change ${role.field}`);
        break;
      case 'textChar':
        this.requireAuthor(role.id, 'change its text');
        if (item.content instanceof Y.ContentString) this.add(this.removed, role.id, item.content.getLength());
        break;
      case 'reaction':
        if (role.userId !== this.writer.userId) throw forbidden('You may remove only your own reaction');
        break;
    }
    this.result.changes = true;
    this.result.messages.add(role.id);
  }

  private checkCreatedMessages(): void {
    for (const [id, fields] of this.created) {
      for (const required of [Field.id, Field.author, Field.createdAt, Field.text, Field.reactions]) {
        if (!fields.has(required)) throw forbidden(`A new message needs ${required}`);
      }
      const createdAt = ((fields.get(Field.createdAt) as Y.Item).content as Y.ContentAny).arr[0] as number;
      if (segmentOf(createdAt) !== this.options.segment) throw forbidden(`Message ${id} belongs to segment ${segmentOf(createdAt)}`);
    }
  }

  private checkTextLengths(): void {
    for (const [id, added] of this.inserted) {
      const text = messagesOf(this.doc).get(id)?.get(Field.text);
      const before = text instanceof Y.Text ? text.length : 0;
      if (before + added - (this.removed.get(id) ?? 0) > limits.messageText.max) {
        throw forbidden(`A message's text may be at most ${limits.messageText.max} characters`);
      }
    }
  }

  private add(map: Map<string, number>, id: string, n: number): void {
    map.set(id, (map.get(id) ?? 0) + n);
  }
}

const isEmoji = (value: unknown): boolean => typeof value === 'string' && isReactionEmoji(value);
