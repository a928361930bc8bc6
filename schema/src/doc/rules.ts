import * as Y from 'yjs';
import { isReactionEmoji, isUuid, limits } from '../limits.js';
import { messageTextProblem, textFragmentProblem } from '../text.js';
import { attachmentListProblem, readAttachmentRefs } from './attachments.js';
import { type CheckResult, recordJudgement } from './check-result.js';
import { Integration } from './integration.js';
import {
  AUTHOR_FIELDS,
  CREATION_FIELDS,
  Field,
  isVersionKey,
  MESSAGES,
  messagesOf,
  originalVersionId,
  readVersionValue,
  VERSION_PREFIX,
  versionKey,
} from './model.js';
import { malformed, missing, Placement, type Role, type Struct } from './placement.js';
import { UpdateRefusedError } from './refusals.js';
import { segmentOf } from './segments.js';

/**
 * The write rules, checked on an update before it touches a document: the server runs this
 * on every pushed update (a refused update never reaches the stored state or anyone else),
 * and a client can run it before pushing.
 *
 * Rules (the shape is in model.ts): a new message's author is the writer, and it is created
 * with exactly its first version ("v:<id>", at = createdAt), or, in the old shape an app not
 * yet updated still writes, with a `text` Y.Text; only the author adds versions, each under
 * a fresh UUID, written once, no earlier than createdAt, at most
 * limits.messageVersions.max of them; versions are removed only by the author and only with
 * (or after) `deleted: true`, which is never taken back; the old shape's `text` and
 * `editedAt` are changed only by the author; a user sets or removes only their own reaction;
 * `id`, `author`, `createdAt`, `replyTo` and `reactions` are written once, when the message
 * is created, and messages are never removed; `attachments` is a well-formed list
 * (attachments.ts), written once at creation and removed only by the author with (or after)
 * `deleted`; a version's text may be empty only in a message with attachments (a photo
 * without a caption); no other root types or keys; every text obeys
 * text.ts; limits on emoji and update size; `createdAt` at most a few minutes ahead of `now`,
 * not before `notBefore`, and inside the document's segment; every Yjs client ID the update
 * writes with must be the writer's (`mayUseClient`). A `replyTo` must name a message of the
 * conversation: the caller checks the ids in `replies` (other segments are not here), and
 * each ref in `attachments` must name a completed upload of the writer into this conversation
 * with the same size and type: the caller checks those too (the uploads are not here).
 */

export type Writer = { userId: string; mayUseClient: (clientId: number) => boolean };

/** `notBefore`: the earliest createdAt a new message may have (the conversation's creation), when known. */
export type CheckOptions = { segment: number; now: number; notBefore?: number };

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
  return new Checker(doc, update, decoded, writer, options).run();
}

class Checker {
  private readonly integration: Integration;
  private readonly placement: Placement;
  private readonly created = new Map<string, Map<string, Y.Item>>();
  private readonly inserted = new Map<string, number>();
  private readonly removed = new Map<string, number>();
  private readonly result: CheckResult = {
    changes: false,
    clients: new Set(),
    messages: new Set(),
    created: new Set(),
    replies: new Map(),
    attachments: new Map(),
  };
  /** Messages this update marks deleted. */
  private readonly setsDeleted = new Set<string>();
  /** Messages this update adds versions to (not counting their creation). */
  private readonly newVersions = new Map<string, number>();
  /** "message id/version key" of the versions this update writes. */
  private readonly versionKeys = new Set<string>();
  /** Messages this update gives an empty version (allowed only with attachments). */
  private readonly blankVersions = new Set<string>();

  /** Works out where Yjs will integrate each struct (integration.ts); throws UpdateRefusedError when it would not cleanly. */
  constructor(
    private readonly doc: Y.Doc,
    update: Uint8Array,
    private readonly decoded: Decoded,
    private readonly writer: Writer,
    private readonly options: CheckOptions,
  ) {
    this.integration = new Integration(doc, update, decoded.structs);
    this.placement = new Placement(this.integration);
  }

  /** Judges what lands, where the integration model lands it, then the deletions; records the judgement for applyChecked. */
  run(): CheckResult {
    const fresh = this.newStructs();
    const items = fresh.filter((s): s is Y.Item => s instanceof Y.Item);
    const withRoles = items.map((item) => [item, this.placement.roleOf(item)] as const);
    for (const [item, role] of withRoles) {
      if (role.kind === 'message') this.createMessage(item, role.id);
      if (role.kind === 'field' && role.field === Field.deleted && valueIn(item.content) === true) this.setsDeleted.add(role.id);
    }
    // A message's creation fields first, whatever order its clients come in, so later changes
    // in the same update (an edit or a delete merged from the outbox) are judged against them.
    const creation = withRoles.filter(([, role]) => this.isCreationField(role));
    for (const [item, role] of creation) this.checkInsertion(item, role);
    for (const [item, role] of withRoles) if (role.kind !== 'message' && !this.isCreationField(role)) this.checkInsertion(item, role);
    this.checkDeletions();
    this.checkCreatedMessages();
    this.checkBlankVersions();
    this.checkTextLengths();
    recordJudgement(this.result, { integration: this.integration, placement: this.placement });
    return this.result;
  }

  /**
   * The structs that land (trimmed to what the document lacks), in integration order; refuses
   * foreign client IDs, and any struct naming a root type other than the messages map (Yjs
   * creates a root type it reads, even for a struct it then skips).
   */
  private newStructs(): (Y.Item | Y.GC)[] {
    for (const s of this.decoded.structs) {
      const root: unknown = s instanceof Y.Item ? s.parent : null; // a decoded item names a root type by a string
      if (typeof root === 'string' && root !== MESSAGES) {
        throw forbidden(`Not part of the conversation model: unknown root type "${root.slice(0, 40)}"`);
      }
    }
    const out: (Y.Item | Y.GC)[] = [];
    for (const { struct } of this.integration.landings) {
      const { client } = struct.id;
      if (!this.result.clients.has(client)) {
        if (!this.writer.mayUseClient(client)) throw forbidden(`Yjs client ${client} belongs to another device in this document`);
        this.result.clients.add(client);
      }
      this.result.changes = true;
      out.push(struct);
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
        if (fields && this.isCreationField(role)) {
          // The first version (and the attachments) may reach us already removed, when the same update deletes the message.
          const removable = isVersionKey(role.field) || role.field === Field.attachments;
          const removedOriginal = deleted && removable && this.setsDeleted.has(role.id);
          if (fields.has(role.field) || (deleted && !removedOriginal))
            throw forbidden(`A message's ${role.field.slice(0, 60)} is written once`);
          if (!removedOriginal) this.checkCreationValue(role.id, role.field, item.content);
          fields.set(role.field, item);
        } else if (fields && !isVersionKey(role.field) && !AUTHOR_FIELDS.has(role.field)) {
          throw forbidden(`A new message may not set "${role.field.slice(0, 60)}"`);
        } else if (isVersionKey(role.field)) {
          this.checkNewVersion(role.id, role.field, item);
        } else {
          if (!AUTHOR_FIELDS.has(role.field)) {
            throw forbidden(
              CREATION_FIELDS.has(role.field) ? `A message's ${role.field} never changes` : `Unknown field "${role.field.slice(0, 40)}"`,
            );
          }
          this.requireAuthor(role.id, `set ${role.field}`);
          if (role.field === Field.editedAt && !this.isOldShape(role.id)) throw forbidden('editedAt belongs to messages of the old shape');
          if (role.field === Field.deleted && deleted && !this.setsDeleted.has(role.id)) throw forbidden('A deletion is never taken back');
          if (!deleted) this.checkAuthorValue(role.field, item.content);
        }
        break;
      }
      case 'textChar':
        this.requireAuthor(role.id, 'change its text');
        if (item.content instanceof Y.ContentString) {
          const problem = textFragmentProblem(item.content.str);
          if (problem) throw forbidden(problem);
          this.add(this.inserted, role.id, item.content.getLength());
        } else if (!deleted) throw forbidden('Message text holds plain text only');
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
    const value = valueIn(content);
    if (isVersionKey(field)) {
      const version = this.versionProblem(id, value);
      if (version) throw forbidden(version);
      return;
    }
    if (field === Field.attachments) {
      const problem = attachmentListProblem(value);
      if (problem) throw forbidden(problem);
      this.result.attachments.set(id, readAttachmentRefs(value));
      return;
    }
    const ok =
      field === Field.id
        ? value === id
        : field === Field.author
          ? value === this.writer.userId
          : field === Field.createdAt
            ? Number.isSafeInteger(value) &&
              (value as number) > 0 &&
              (value as number) <= this.options.now + limits.futureSkewMs &&
              (value as number) >= (this.options.notBefore ?? 0)
            : field === Field.replyTo
              ? isUuid(value) && value !== id
              : field === Field.text
                ? content instanceof Y.ContentType && content.type instanceof Y.Text
                : content instanceof Y.ContentType && content.type instanceof Y.Map; // reactions
    if (ok) {
      if (field === Field.replyTo) this.result.replies.set(id, value as string);
      return;
    }
    if (field === Field.author) throw forbidden("A new message's author must be the writer");
    if (field === Field.createdAt) {
      throw forbidden('createdAt must be a positive integer, not before the conversation and no more than a few minutes in the future');
    }
    throw forbidden(`Invalid ${field} for a new message`);
  }

  /** Why a version of message `id` is refused (its text, its stamp), or undefined; an empty text is judged at the end (checkBlankVersions). */
  private versionProblem(id: string, value: unknown): string | undefined {
    const version = readVersionValue(value);
    if (!version || Object.keys(value as object).length !== 2) return 'A version is { text, at } and nothing else';
    if (version.at > this.options.now + limits.futureSkewMs) return "A version's at may be no more than a few minutes in the future";
    if (version.text === '') {
      this.blankVersions.add(id);
      return undefined;
    }
    return messageTextProblem(version.text);
  }

  /**
   * A version added to a message that exists: by its author, fresh, well-formed, after its
   * creation. A version of a message already deleted is accepted (an edit made offline that
   * arrives after the delete: delete wins, so it is never shown, and the author's devices
   * purge it), so that race never asks anyone to undo anything.
   */
  private checkNewVersion(id: string, key: string, item: Y.Item): void {
    this.requireAuthor(id, 'edit it');
    const map = messagesOf(this.doc).get(id) as Y.Map<unknown> | undefined; // undefined: created by this update
    if (!isUuid(key.slice(VERSION_PREFIX.length))) throw forbidden('A version id must be a UUID');
    if (map?._map.has(key) || this.versionKeys.has(`${id}/${key}`)) throw forbidden('A version is written once');
    this.versionKeys.add(`${id}/${key}`);
    if (item.content instanceof Y.ContentDeleted) return; // holds nothing: harmless
    const value = valueIn(item.content);
    const problem = this.versionProblem(id, value);
    if (problem) throw forbidden(problem);
    if ((readVersionValue(value)?.at ?? 0) < this.createdAtOf(id)) throw forbidden('A version cannot be older than its message');
    const count = (this.newVersions.get(id) ?? 0) + 1;
    this.newVersions.set(id, count);
    let held = map ? 0 : 1; // a message created by this update holds its first version
    for (const [k, it] of map?._map ?? []) if (!it.deleted && isVersionKey(k)) held++;
    if (held + count > limits.messageVersions.max) throw forbidden(`A message keeps at most ${limits.messageVersions.max} versions`);
  }

  /** True for a message of contract v1 (its text is a Y.Text), existing or created by this update. */
  private isOldShape(id: string): boolean {
    const created = this.created.get(id);
    if (created) return created.has(Field.text);
    return messagesOf(this.doc).get(id)?.get(Field.text) instanceof Y.Text;
  }

  /** True for a field the creation of a message created by this update writes (its first version included). */
  private isCreationField(role: Role): boolean {
    if (role.kind !== 'field' || !this.created.has(role.id)) return false;
    return CREATION_FIELDS.has(role.field) || role.field === versionKey(originalVersionId(role.id));
  }

  /** The createdAt of an existing message, or of one this update creates (0 while unknown). */
  private createdAtOf(id: string): number {
    const created = this.created.get(id)?.get(Field.createdAt);
    const value = created ? valueIn(created.content) : messagesOf(this.doc).get(id)?.get(Field.createdAt);
    return typeof value === 'number' ? value : 0;
  }

  private checkAuthorValue(field: string, content: Content): void {
    const value = valueIn(content);
    if (field === Field.deleted && value !== true) throw forbidden('deleted can only be set to true');
    if (field === Field.editedAt && !(Number.isSafeInteger(value) && (value as number) <= this.options.now + limits.futureSkewMs)) {
      throw forbidden('editedAt must be an integer no more than a few minutes in the future');
    }
  }

  /**
   * Deletions, judged on the document as the update leaves it (Yjs applies them after the
   * structs): a range reaching past what the client will have stays pending in Yjs, so it is
   * refused as missing; each item it removes is judged where it sits (or lands).
   */
  private checkDeletions(): void {
    for (const [client, ranges] of this.decoded.ds.clients) {
      const state = this.integration.state(client);
      for (const { clock, len } of ranges) {
        if (len <= 0) throw malformed('an empty deletion');
        if (clock + len > state) throw missing();
        this.integration.forEachIn(client, clock, clock + len, (s, landing) => {
          if (!(s instanceof Y.Item) || s.deleted || (landing && (landing.place === null || s.content instanceof Y.ContentDeleted))) return;
          this.checkDeletion(s);
        });
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
        if (isVersionKey(role.field) || role.field === Field.attachments) {
          this.requireAuthor(role.id, role.field === Field.attachments ? 'remove its attachments' : 'remove its versions');
          if (messagesOf(this.doc).get(role.id)?.get(Field.deleted) !== true && !this.setsDeleted.has(role.id)) {
            throw forbidden(
              `A message's ${role.field === Field.attachments ? 'attachments are' : 'versions are'} removed only when it is deleted`,
            );
          }
          break;
        }
        if (!AUTHOR_FIELDS.has(role.field)) throw forbidden(`A message's ${role.field} never changes`);
        this.requireAuthor(role.id, `change ${role.field}`);
        if (role.field === Field.deleted && !this.setsDeleted.has(role.id)) throw forbidden('A deletion is never taken back');
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
      for (const required of [Field.id, Field.author, Field.createdAt, Field.reactions]) {
        if (!fields.has(required)) throw forbidden(`A new message needs ${required}`);
      }
      const original = fields.get(versionKey(originalVersionId(id)));
      if (!original === !fields.has(Field.text)) throw forbidden('A new message has exactly one text: its first version');
      const createdAt = valueIn((fields.get(Field.createdAt) as Y.Item).content) as number;
      const removed = original?.content instanceof Y.ContentDeleted; // deleted by the same update (checked on insertion)
      if (original && !removed && readVersionValue(valueIn(original.content))?.at !== createdAt) {
        throw forbidden("A message's first version is dated at its createdAt");
      }
      if (segmentOf(createdAt) !== this.options.segment) throw forbidden(`Message ${id} belongs to segment ${segmentOf(createdAt)}`);
    }
  }

  /** An empty version only in a message with attachments (created with them by this update, or holding them). */
  private checkBlankVersions(): void {
    for (const id of this.blankVersions) {
      const created = this.created.get(id);
      const map = messagesOf(this.doc).get(id);
      const holds = created ? created.has(Field.attachments) : map?.has(Field.attachments) === true;
      // An edit racing the deletion of a photo's caption is kept like any such edit (never shown).
      const deleted = this.setsDeleted.has(id) || map?.get(Field.deleted) === true;
      if (!holds && !deleted) throw forbidden('text must not be empty');
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

/** The one value a map entry's content holds, or undefined when it is not one plain value. */
const valueIn = (content: Content): unknown => (content instanceof Y.ContentAny && content.arr.length === 1 ? content.arr[0] : undefined);
