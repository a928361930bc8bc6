import { useEffect, useState } from 'react';

/**
 * Whether the image at `url` is loaded and decoded (so it can appear at once, with no partial
 * paint); false while there is no URL, and for an image that does not decode.
 */
export function useDecodedImage(url: string | null): boolean {
  const [decoded, setDecoded] = useState<string | null>(null);
  useEffect(() => {
    if (!url) return;
    let live = true;
    const image = new Image();
    image.src = url;
    image.decode().then(
      () => {
        if (live) setDecoded(url);
      },
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [url]);
  return url !== null && decoded === url;
}
