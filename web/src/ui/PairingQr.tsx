import { useMemo } from 'react';
import { renderSVG } from 'uqr';

/** The pairing link as a QR code (an SVG named for screen readers). */
export function PairingQr({ value }: { value: string }) {
  const svg = useMemo(
    () =>
      renderSVG(value, { ecc: 'M', border: 2, pixelSize: 8 }).replace(
        '<svg ',
        '<svg role="img" aria-label="QR code for pairing code" focusable="false" class="qr-svg" ',
      ),
    [value],
  );
  // biome-ignore lint/security/noDangerouslySetInnerHtml: the SVG is generated locally by uqr from our own link
  return <div className="qr" dangerouslySetInnerHTML={{ __html: svg }} />;
}
