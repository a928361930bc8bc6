import {
  applyChecked,
  type CheckResult,
  checkUpdate,
  ErrorCode,
  IntegrationFailedError,
  limits,
  messagesOf,
  UpdateRefusedError,
} from '@mailboat/schema';
import * as Y from 'yjs';
import type { Db } from '../../db/connect.js';
import { encodeGlobalId } from '../../global-ids.js';
import type { Viewer } from '../../viewer.js';
import type { SegmentCache } from '../segments/segment-cache.js';
import { type AttachmentClaim, claimsOf, judgeClaims, verifyClaims } from './push-attachments.js';
import { type LockedGroup, type Opened, segmentName } from './push-lock.js';
import { findMessagesIn, type PushedClient, type PushedUpdate } from './push-repository.js';
import { type Known, RerunError } from './push-rerun.js';
import type { AcceptedUpdate, PushItem, PushOutcome, PushRequest } from './push-types.js';

/** What the checks decided: each update's outcome, and what the write step stores. */
export type CheckedGroup = {
  /** Per request, per update, in order. */
  outcomes: PushOutcome[][];
  /** The accepted updates in their canonical form, in order, with what their publication needs. */
  accepted: AcceptedUpdate[];
  updates: PushedUpdate[];
  /** Yjs client IDs first used by this group, with the device that used them. */
  clients: PushedClient[];
  /** Segment name -> ids of the messages its accepted updates changed. */
  changed: Map<string, Set<string>>;
  /** Message id -> the segment an accepted update of this group created it in. */
  creator: Map<string, string>;
  /** Uploads the accepted updates' new messages name, to link to them (push-attachments.ts). */
  links: { id: string; messageId: string; position: number; thumbhash: string | null }[];
};

/** What checking one group carries from update to update. */
type Checking = {
  trx: Db;
  cache: SegmentCache;
  locked: LockedGroup;
  known: Known;
  checked: CheckedGroup;
  /** Reply targets neither in their segment nor known: looked up once every update is checked. */
  unverified: Map<string, { conversationId: string; id: string }>;
  /** Upload id -> the message of this group that names it. */
  claimed: Map<string, string>;
  /** Claims on uploads not known yet: looked up once every update is checked. */
  unverifiedClaims: AttachmentClaim[];
  /** The most bytes one message's attachments may total (ATTACHMENT_MESSAGE_MAX_MB). */
  messageMaxBytes: number;
};

const forbidden = (why: string) => new UpdateRefusedError('FORBIDDEN_UPDATE', why);

/**
 * Step 2 of a group commit, inside its transaction, segments locked: checks every update of
 * every request, in order, against its segment's document as the updates before it left it,
 * and applies each accepted one to that document (its canonical form, see applyOrRebuild).
 * A message id is created by the first update that claims it (later ones in other segments
 * are refused), a message's createdAt is not before its conversation's start, and a reply
 * names a message of its conversation (in its segment, created by an update before it, or
 * stored: those are looked up at the end), and each attachment a new message names is a
 * completed upload of its author into its conversation that no other message names
 * (push-attachments.ts; looked up at the end too).
 *
 * Throws RerunError when the database shows the group what it could not know (an id this group
 * created exists in another segment, a reply target is not stored): the group then runs again.
 */
export async function checkGroup(
  trx: Db,
  cache: SegmentCache,
  locked: LockedGroup,
  requests: PushRequest[],
  known: Known,
  messageMaxBytes: number,
): Promise<CheckedGroup> {
  const checked: CheckedGroup = {
    outcomes: requests.map((r) => new Array(r.items.length)),
    accepted: [],
    updates: [],
    clients: [],
    changed: new Map(),
    creator: new Map(),
    links: [],
  };
  const checking: Checking = {
    trx,
    cache,
    locked,
    known,
    checked,
    unverified: new Map(),
    claimed: new Map(),
    unverifiedClaims: [],
    messageMaxBytes,
  };
  for (const [r, { viewer, items }] of requests.entries()) {
    const out = checked.outcomes[r] as PushOutcome[];
    const userId = encodeGlobalId('User', viewer.userId);
    for (const [i, item] of items.entries()) out[i] = await checkOne(checking, viewer, userId, item);
  }
  refuseForgedCreations(checked);
  await verifyReplyTargets(checking);
  await verifyClaims(trx, checking.unverifiedClaims);
  return checked;
}

/** The outcome of one update; an accepted one is applied to its document and recorded in `checking.checked`. */
async function checkOne(checking: Checking, viewer: Viewer, userId: string, item: PushItem): Promise<PushOutcome> {
  const { locked } = checking;
  const o = locked.members.has(`${item.conversationId}:${viewer.userId}`) ? locked.opened.get(segmentName(item)) : undefined;
  if (!o) return { status: 'refused', code: ErrorCode.NOT_FOUND, message: 'Conversation not found' };
  try {
    const owners = o.entry.owners as Map<number, string>;
    const result = checkUpdate(
      o.entry.doc,
      item.update,
      { userId, mayUseClient: (c) => (owners.get(c) ?? viewer.deviceId) === viewer.deviceId },
      { segment: o.key.segment, now: Date.now(), notBefore: notBefore(locked.starts.get(o.key.conversationId)) },
    );
    if (!result.changes) return { status: 'duplicate' };
    const toVerify = unresolvedReplyTargets(checking, o, result);
    const claims = claimsOf(result.attachments, viewer.userId, o.key.conversationId);
    const unknownClaims = judgeClaims(claims, checking.known.attachments, checking.claimed, checking.messageMaxBytes);
    const canonical = await applyOrRebuild(checking.trx, checking.cache, o, item.update, result);
    if (canonical === null) return { status: 'duplicate' };
    for (const id of toVerify) checking.unverified.set(`${o.key.conversationId}:${id}`, { conversationId: o.key.conversationId, id });
    recordAccepted(checking.checked, o, viewer, result, canonical);
    for (const c of claims) {
      checking.claimed.set(c.ref.id, c.messageId);
      checking.checked.links.push({ id: c.ref.id, messageId: c.messageId, position: c.position, thumbhash: c.ref.thumbhash ?? null });
    }
    checking.unverifiedClaims.push(...unknownClaims);
    return { status: 'accepted' };
  } catch (e) {
    if (!(e instanceof UpdateRefusedError)) throw e;
    return {
      status: 'refused',
      code: e.code,
      message: e.message,
      stateVector: e.code === 'MISSING_DEPENDENCIES' ? Y.encodeStateVector(o.entry.doc) : undefined,
    };
  }
}

/**
 * Refuses (FORBIDDEN_UPDATE) an update creating a message id that is taken elsewhere, or that
 * names as reply target a message its conversation is known to lack; returns the reply targets
 * that are neither in this segment, nor created by this group, nor known to be stored.
 */
function unresolvedReplyTargets({ known, checked }: Checking, o: Opened, result: CheckResult): string[] {
  const name = segmentName(o.key);
  if ([...result.created].some((id) => known.taken.has(id) || (checked.creator.get(id) ?? name) !== name)) {
    throw forbidden('A message with this id already exists in another conversation or segment');
  }
  const toVerify: string[] = [];
  for (const target of result.replies.values()) {
    const pair = `${o.key.conversationId}:${target}`;
    const here =
      result.created.has(target) ||
      messagesOf(o.entry.doc).has(target) ||
      checked.creator.get(target)?.startsWith(`${o.key.conversationId}:`) ||
      known.present.has(pair);
    if (here) continue;
    if (known.absent.has(pair)) throw forbidden('replyTo names no message of this conversation');
    toVerify.push(target);
  }
  return toVerify;
}

/** Records an accepted update (already applied to its document): what to store, publish and project. */
function recordAccepted(checked: CheckedGroup, o: Opened, viewer: Viewer, result: CheckResult, canonical: Uint8Array): void {
  const { key } = o;
  const name = segmentName(key);
  const owners = o.entry.owners as Map<number, string>;
  for (const c of result.clients) {
    if (!owners.has(c)) checked.clients.push({ ...key, clientId: c, deviceId: viewer.deviceId });
    owners.set(c, viewer.deviceId);
  }
  for (const id of result.created) checked.creator.set(id, name);
  const ids = checked.changed.get(name) ?? new Set();
  for (const id of result.messages) ids.add(id);
  checked.changed.set(name, ids);
  o.seq++;
  o.grewBytes += canonical.byteLength;
  checked.updates.push({ ...key, seq: o.seq, update: canonical, deviceId: viewer.deviceId });
  checked.accepted.push({ key, seq: o.seq, update: canonical, originDeviceId: viewer.deviceId });
}

/**
 * An id this group created that another of its segments also changes is an id that exists
 * there already: the creation was forged. The group runs again knowing it taken.
 */
function refuseForgedCreations({ changed, creator }: CheckedGroup): void {
  const segmentsOf = new Map<string, number>();
  for (const ids of changed.values()) for (const id of ids) segmentsOf.set(id, (segmentsOf.get(id) ?? 0) + 1);
  const clashes = [...creator.keys()].filter((id) => (segmentsOf.get(id) ?? 0) > 1);
  if (clashes.length > 0) throw new RerunError({ taken: clashes });
}

/** Looks the unresolved reply targets up; when some are not stored, the group runs again knowing which. */
async function verifyReplyTargets({ trx, unverified }: Checking): Promise<void> {
  if (unverified.size === 0) return;
  const found = await findMessagesIn(trx, [...unverified.values()]);
  const absent = [...unverified.keys()].filter((pair) => !found.has(pair));
  if (absent.length > 0) throw new RerunError({ present: [...found], absent });
}

/**
 * Applies an accepted update to its segment's document; returns its canonical update (null:
 * it changed nothing). When Yjs does otherwise than the rules judged, the document holds part
 * of the update: it is rebuilt (from the database as this transaction sees it, then this
 * group's updates before this one) and the IntegrationFailedError (MALFORMED_UPDATE) is thrown.
 */
async function applyOrRebuild(trx: Db, cache: SegmentCache, o: Opened, update: Uint8Array, checked: CheckResult) {
  try {
    const canonical = applyChecked(o.entry.doc, update, checked);
    if (canonical) o.applied.push(canonical);
    return canonical;
  } catch (e) {
    if (!(e instanceof IntegrationFailedError)) throw e;
    const owners = o.entry.owners;
    cache.evict(o.key);
    const entry = await cache.open(trx, o.key);
    entry.owners = owners;
    entry.doc.transact(() => {
      for (const u of o.applied) Y.applyUpdate(entry.doc, u);
    });
    o.entry = entry;
    console.error(
      `Segment ${segmentName(o.key)}: an update passed the write rules but Yjs integrated it otherwise (${e.message}); refused`,
    );
    throw e;
  }
}

/**
 * The earliest createdAt a message of a conversation started at `start` may have: its start,
 * less the clock skew a device may have (limits.futureSkewMs), so a device a little behind
 * can write at once into a conversation just made.
 */
const notBefore = (start: number | undefined) => (start === undefined ? undefined : start - limits.futureSkewMs);
