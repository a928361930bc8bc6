import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Config } from '../config.js';
import type { Db } from '../db/connect.js';
import { guardedLookup, PrivateAddressError, type ResolveHost } from './endpoint-guard.js';
import { notificationPayload, topicOf } from './notification-payload.js';
import {
  type ClaimedJob,
  claimDueJobs,
  deleteSubscription,
  purgeSettledJobs,
  retryJobLater,
  settleJob,
} from './notifications-repository.js';
import { type PushAnswer, type PushTransport, sendPush } from './push-transport.js';
import { VapidHeaders } from './vapid-headers.js';

/** Jobs claimed (and sent at once) per pass. */
export const CLAIM_BATCH = 64;
/** How long a claim holds a job: a node that dies mid-send leaves it to the others after this. */
export const LEASE_SECONDS = 60;
/** A push service that has not answered after this is given up on for this try. */
export const SEND_TIMEOUT_MS = 10_000;
/** How often the queue is looked at without a wake-up (jobs other nodes queued, retries, collapsed sends falling due). */
export const POLL_MS = 2_000;
/** Backoff of a failed send without Retry-After: this, doubled per attempt, at most MAX_RETRY_SECONDS. */
export const RETRY_BASE_SECONDS = 5;
export const MAX_RETRY_SECONDS = 3600;

/** What became of the jobs one worker handled (for benchmarks and logs). */
export type NotificationStats = { sent: number; skipped: number; retried: number; dropped: number; gone: number };

/**
 * Sends the notification jobs of the queue (notification_jobs) to the push services, one app's
 * worker (AppDeps.notifications). A pass claims due jobs with FOR UPDATE SKIP LOCKED and a lease
 * in one short statement, so any number of nodes share the queue and each job is sent once;
 * then, with no transaction open, it sends them all at once and settles each:
 *
 * - 2xx: sent; messages that arrived meanwhile wait NOTIFICATION_INTERVAL_SECONDS;
 * - 404/410 (the subscription expired), 401/403 (it belongs to other VAPID keys), or an endpoint
 *   resolving to a private address: the subscription is deleted, and its jobs with it;
 * - 429, 5xx, no answer: tried again after Retry-After or an exponential backoff, up to
 *   NOTIFICATION_MAX_ATTEMPTS, then dropped; any other answer drops the job;
 * - nothing unread any more (read on another device, or deleted), the recipient left or muted
 *   the conversation meanwhile: settled without sending.
 *
 * A commit that queued jobs wakes it (`wake`); otherwise it polls every POLL_MS.
 */
export class NotificationWorker {
  readonly stats: NotificationStats = { sent: 0, skipped: 0, retried: 0, dropped: 0, gone: 0 };
  /** Called when a push request leaves (benchmarks time it). */
  onSend: ((job: ClaimedJob) => void) | undefined;
  private readonly transport: PushTransport;
  private readonly vapid: VapidHeaders;
  private running: Promise<void> | undefined;
  private stopped = false;
  private woken = false;
  private wakeSleeper: (() => void) | undefined;
  private passes = 0;
  private idleWaiters: { after: number; resolve: () => void }[] = [];
  private nextPurge = 0;

  constructor(
    private readonly deps: { db: Db; config: Config },
    resolve?: ResolveHost,
  ) {
    this.transport = {
      lookup: guardedLookup(deps.config.pushAllowLocalEndpoints, resolve),
      allowLocal: deps.config.pushAllowLocalEndpoints,
      timeoutMs: SEND_TIMEOUT_MS,
      agents: { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) },
    };
    const { vapidSubject: subject, vapidPublicKey: publicKey, vapidPrivateKey: privateKey } = deps.config;
    this.vapid = new VapidHeaders({ subject, publicKey, privateKey });
  }

  /** The least time between two notifications to one device for one conversation. */
  get intervalSeconds(): number {
    return this.deps.config.notificationIntervalSeconds;
  }

  /** Starts the loop (createApp does; an app built only with createAppDeps never sends). */
  start(): void {
    this.running ??= this.loop();
  }

  /** Looks at the queue now: a commit on this node just queued jobs. */
  wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  /** Resolves once a pass that started after this call found nothing due (tests wait on it before checking that nothing was sent). */
  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push({ after: this.passes, resolve });
      this.wake();
    });
  }

  /** Stops the loop and waits for the sends in flight; closes the connections to push services. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeSleeper?.();
    await this.running;
    this.transport.agents.http.destroy();
    this.transport.agents.https.destroy();
    for (const waiter of this.idleWaiters.splice(0)) waiter.resolve();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      const pass = ++this.passes;
      let claimed = 0;
      try {
        claimed = await this.pass();
      } catch (e) {
        if (this.stopped) break;
        console.error('Sending notifications failed (tried again at the next pass):', e);
      }
      if (claimed === 0) {
        const done = this.idleWaiters.filter((w) => w.after < pass);
        this.idleWaiters = this.idleWaiters.filter((w) => w.after >= pass);
        for (const waiter of done) waiter.resolve();
      }
      if (claimed >= CLAIM_BATCH || this.woken || this.stopped) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        this.wakeSleeper = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeSleeper = undefined;
    }
  }

  /** One pass: claims due jobs, sends them all, settles each. Returns how many it claimed. */
  private async pass(): Promise<number> {
    const { db, config } = this.deps;
    if (Date.now() >= this.nextPurge) {
      this.nextPurge = Date.now() + 60_000;
      await purgeSettledJobs(db, Math.max(config.notificationIntervalSeconds, 60));
    }
    const jobs = await claimDueJobs(db, CLAIM_BATCH, LEASE_SECONDS);
    await Promise.all(jobs.map((job) => this.handle(job)));
    return jobs.length;
  }

  private async handle(job: ClaimedJob): Promise<void> {
    const { db, config } = this.deps;
    if (!job.deliverable || job.message_id === null) {
      this.stats.skipped++;
      return settleJob(db, job, job.pending, config.notificationIntervalSeconds, false);
    }
    let answer: PushAnswer | undefined;
    try {
      this.onSend?.(job);
      answer = await sendPush(this.transport, job, JSON.stringify(notificationPayload(job)), {
        vapid: this.vapid,
        ttlSeconds: config.notificationTtlSeconds,
        urgency: job.kind === 'direct' ? 'high' : 'normal',
        topic: topicOf(job.conversation_id),
      });
    } catch (e) {
      if (e instanceof PrivateAddressError) {
        this.stats.gone++;
        await deleteSubscription(db, job.device_id);
        return;
      }
      answer = undefined; // a network error or timeout: try again later
    }
    const status = answer?.status;
    if (status !== undefined && status >= 200 && status < 300) {
      this.stats.sent++;
      return settleJob(db, job, job.pending, config.notificationIntervalSeconds, true);
    }
    if (status === 404 || status === 410 || status === 401 || status === 403) {
      this.stats.gone++;
      await deleteSubscription(db, job.device_id);
      return;
    }
    if (status === undefined || status === 429 || status >= 500) {
      if (job.attempts + 1 < config.notificationMaxAttempts) {
        this.stats.retried++;
        const backoff = Math.min(RETRY_BASE_SECONDS * 2 ** job.attempts, MAX_RETRY_SECONDS);
        const delay = Math.min(Math.max(1, answer?.retryAfterSeconds ?? backoff), MAX_RETRY_SECONDS);
        return retryJobLater(db, job, delay);
      }
    }
    this.stats.dropped++;
    return settleJob(db, job, job.pending, config.notificationIntervalSeconds, false);
  }
}
