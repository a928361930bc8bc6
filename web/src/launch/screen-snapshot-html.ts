/**
 * Rows kept of a long list (the newest messages, the first conversations): enough to fill a
 * tall screen, and no more, since a launch lays out every row it paints before its first
 * frame (measured in a fresh headless Chromium on the 2-core machine: the first layout of a
 * conversation takes ~20 ms plus ~0.35 ms a row: 28 ms with 30 rows, 42 ms with 60).
 */
export const SCREEN_SNAPSHOT_ROWS = 30;

/**
 * What is shown only for a moment or while someone acts, left out of a screen snapshot: the update
 * offer (its empty live region stays), dialogs and menus, errors and warnings of the moment,
 * sync progress, the open picker, delete question, edit form and reply quote, and who is typing
 * or online (ephemeral: a list entry where someone typed shows no preview line until the app has started).
 */
const TRANSIENT = [
  '.update-prompt > *',
  'dialog',
  '[role=dialog]',
  '[role=alertdialog]',
  '[role=menu]',
  '[role=alert]',
  '.sync-banner',
  '.reaction-picker',
  '.confirm-delete',
  '.edit-form',
  '.composer-reply',
  '.typing-indicator > *',
  '.conversation-preview.is-typing',
  '.presence-line',
].join(',');

/**
 * The HTML of what `root` shows, for a screen snapshot (screen-snapshot.ts): a copy without
 * transient UI, form values (drafts, anything typed), focus requests or sync state (a screen
 * snapshot cannot know whether the device is online), with long lists cut to the rows a
 * screen shows. The page itself is not touched.
 */
export function screenSnapshotHtml(root: Element): string {
  const copy = root.cloneNode(true) as Element;
  for (const el of copy.querySelectorAll(TRANSIENT)) el.remove();
  for (const list of copy.querySelectorAll('ol.messages')) keepRows(list, 'last');
  for (const list of copy.querySelectorAll('.conversation-list')) keepRows(list, 'first');
  for (const field of copy.querySelectorAll('input, textarea, select')) clearField(field);
  for (const el of copy.querySelectorAll('[autofocus]')) el.removeAttribute('autofocus');
  for (const status of copy.querySelectorAll('[data-network]')) {
    for (const name of ['data-network', 'data-syncing', 'data-pending']) status.removeAttribute(name);
    status.replaceChildren(); // the app says soon enough
  }
  return copy.innerHTML;
}

function keepRows(list: Element, which: 'first' | 'last'): void {
  const rows = [...list.children];
  const cut = which === 'last' ? rows.slice(0, -SCREEN_SNAPSHOT_ROWS) : rows.slice(SCREEN_SNAPSHOT_ROWS);
  for (const row of cut) row.remove();
}

function clearField(field: Element): void {
  if (field.localName === 'textarea') field.textContent = '';
  for (const name of ['value', 'checked']) field.removeAttribute(name);
  for (const option of field.querySelectorAll('option[selected]')) option.removeAttribute('selected');
}
