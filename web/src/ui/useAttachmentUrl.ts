import { useEffect, useRef, useState } from 'react';
import type { AttachmentVariant } from '../app/model.js';
import { ClientError, ClientOnlyErrorCode } from '../app/model.js';
import { useClient } from './client-context.js';
import { useSyncState } from './hooks.js';

/** An attachment's bytes as a URL, while it loads, or why it did not. */
export type AttachmentUrl =
  | { state: 'idle' | 'loading'; url: null }
  | { state: 'ready'; url: string }
  /** offline: not on this device and no network (it loads by itself once back online). */
  | { state: 'offline' | 'gone' | 'failed'; url: null };

/**
 * The object URL of an attachment (client.attachmentUrl), asked for once `wanted`, released
 * when the component unmounts or asks for another. A load that failed for lack of network is
 * tried again when the device is back online.
 */
export function useAttachmentUrl(attachmentId: string, variant: AttachmentVariant, wanted: boolean): AttachmentUrl {
  const client = useClient();
  const network = useSyncState().network;
  const key = `${attachmentId} ${variant}`;
  /** The last answer, for `key` (an answer for another attachment is never shown). */
  const [result, setResult] = useState<{ key: string; value: AttachmentUrl } | null>(null);
  const [attempt, setAttempt] = useState(0);
  const current: AttachmentUrl = result?.key === key ? result.value : { state: wanted ? 'loading' : 'idle', url: null };
  const offline = useRef(false);
  offline.current = current.state === 'offline';
  useEffect(() => {
    if (network === 'online' && offline.current) setAttempt((n) => n + 1);
  }, [network]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` asks again after the network returned
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    let held: string | null = null;
    client.attachmentUrl(attachmentId, variant).then(
      (url) => {
        if (!live) {
          client.releaseAttachmentUrl(url);
          return;
        }
        held = url;
        setResult({ key, value: { state: 'ready', url } });
      },
      (e: unknown) => {
        if (live) setResult({ key, value: { state: failureOf(e), url: null } });
      },
    );
    return () => {
      live = false;
      if (held) client.releaseAttachmentUrl(held);
      setResult((r) => (r?.key === key && r.value.state === 'ready' ? null : r));
    };
  }, [client, key, wanted, attempt]);
  return current;
}

function failureOf(e: unknown): 'offline' | 'gone' | 'failed' {
  if (!(e instanceof ClientError)) return 'failed';
  if (e.code === ClientOnlyErrorCode.NETWORK) return 'offline';
  return e.code === 'NOT_FOUND' ? 'gone' : 'failed';
}
