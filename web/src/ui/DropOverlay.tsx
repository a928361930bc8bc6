/** Over the conversation while files are dragged onto it: where they will go. Decorative: the paperclip does the same from the keyboard. */
export function DropOverlay({ title }: { title: string }) {
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-target">
        <p className="drop-title">Drop to send</p>
        <p className="drop-hint">Photos and files for {title}</p>
      </div>
    </div>
  );
}
