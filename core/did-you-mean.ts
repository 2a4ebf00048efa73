import { closest } from './checker.js';

/**
 * The "did you mean …?" hint for a name that is not one of `options`: ` (did you mean subthreshold?)`
 * when one option is within typo distance (core/checker.ts `closest`, the one edit-distance helper),
 * else ''. Usage errors append it to their message.
 */
export function didYouMean(given: string, options: readonly string[]): string {
  const near = closest(given, options);
  return near !== undefined && near !== given ? ` (did you mean ${near}?)` : '';
}
