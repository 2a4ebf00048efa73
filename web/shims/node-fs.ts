/**
 * `node:fs` in the page: the import map sends the toolkit's few file reads here. Files live in a table the
 * page fills (the bundled example, a picked file, a fetched URL), so `loadSpecFile`, `loadSignalCsv` and
 * `loadProfile` run unchanged; a file the page does not hold is an ENOENT error naming it and the way to add it.
 */

/** Bytes that read back as text the way a Node Buffer does (`toString('utf8')`). */
class FileBytes extends Uint8Array {
  override toString(encoding?: string): string {
    if (encoding === undefined || encoding === 'utf8' || encoding === 'utf-8') return new TextDecoder().decode(this);
    throw new Error(`node:fs in the page: encoding '${encoding}' is not supported (utf8 only)`);
  }
}

const files = new Map<string, FileBytes>();

/** The table's key of a path: `./a//b/../c` and `a/c` are one file. */
export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return (path.startsWith('/') ? '/' : '') + out.join('/');
}

/** Puts a file into the page's table (text is stored as UTF-8). */
export function registerFile(path: string, content: string | Uint8Array): void {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  files.set(normalizePath(path), new FileBytes(bytes));
}

/** The paths the page holds. */
export function registeredFiles(): string[] {
  return [...files.keys()];
}

export function existsSync(path: string): boolean {
  return files.has(normalizePath(path));
}

export function readFileSync(path: string, encoding?: string | { encoding?: string }): FileBytes | string {
  const bytes = files.get(normalizePath(String(path)));
  if (!bytes) {
    const err = new Error(`ENOENT: the page holds no file '${path}' (open it with the file picker or a URL; held: ${registeredFiles().join(', ') || 'none'})`) as Error & { code: string };
    err.code = 'ENOENT';
    throw err;
  }
  const enc = typeof encoding === 'string' ? encoding : encoding?.encoding;
  return enc === undefined ? bytes : bytes.toString(enc);
}

/** Any other `node:fs` function: refused with what the page can do instead. */
function unsupported(name: string): () => never {
  return () => {
    throw new Error(`node:fs.${name} is not available in the page (files are read-only there; download results instead)`);
  };
}

export const writeFileSync = unsupported('writeFileSync');
export const mkdirSync = unsupported('mkdirSync');
export const statSync = unsupported('statSync');
export const readdirSync = unsupported('readdirSync');
