import { readFileSync } from 'node:fs';
import { InputError } from './errors.js';

/** Reads and parses a JSON file; a syntax error names the file, line and column. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    if (pos) {
      const offset = Number(pos[1]);
      const before = text.slice(0, offset);
      const line = before.split('\n').length;
      const col = offset - before.lastIndexOf('\n');
      throw new InputError(`invalid JSON: ${msg.replace(/ in JSON at position \d+.*$/, '')}`, file, line, String(col));
    }
    throw new InputError(`invalid JSON: ${msg}`, file);
  }
}
