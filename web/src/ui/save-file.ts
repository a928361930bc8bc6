/**
 * Saves a URL's bytes as a file named `name` (the browser's download, never a navigation):
 * through a hidden <a download>, clicked once. The name is the sender's, untrusted: the
 * browser cleans it for the file system.
 */
export function saveUrl(url: string, name: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.rel = 'noopener';
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}
