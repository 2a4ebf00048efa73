import { existsSync } from 'node:fs';
import { didYouMean } from '../../core/did-you-mean.js';
import { UsageError } from '../../core/errors.js';
import { readJsonFile } from '../../core/json-file.js';
import { BUILTIN_PROFILES } from './builtin.js';
import type { Profile } from './profile.js';
import { validateProfile } from './validate.js';

/** A built-in profile by name, or a profile JSON file (which may extend a built-in one). */
export function loadProfile(nameOrFile: string): Profile {
  const builtin = BUILTIN_PROFILES[nameOrFile];
  if (builtin) return structuredClone(builtin);
  if (nameOrFile.endsWith('.json') || existsSync(nameOrFile)) return validateProfile(readJsonFile(nameOrFile), nameOrFile);
  throw new UsageError(`--profile: '${nameOrFile}' is neither a built-in profile (${Object.keys(BUILTIN_PROFILES).join(', ')}) nor a profile file${didYouMean(nameOrFile, Object.keys(BUILTIN_PROFILES))}`);
}
