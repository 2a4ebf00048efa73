import { readFileSync } from 'node:fs';
import { InputError } from './errors.js';

/** The bytes of a file the user named; an unreadable one is an InputError naming the file and the reason. */
export function readInputFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new InputError(`cannot read file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
}

/** The text (UTF-8) of a file the user named, as `readInputFile`. */
export function readInputText(file: string): string {
  return readInputFile(file).toString('utf8');
}
