/** `node:url` in the page: `pathToFileURL` for the modules that import it; the page has no file paths to convert. */
export function pathToFileURL(path: string): URL {
  throw new Error(`node:url.pathToFileURL is not available in the page (asked for '${path}')`);
}

export function fileURLToPath(url: string | URL): string {
  throw new Error(`node:url.fileURLToPath is not available in the page (asked for '${String(url)}')`);
}
