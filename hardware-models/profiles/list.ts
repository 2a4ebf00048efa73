import { BUILTIN_PROFILES } from './builtin.js';
import type { Profile } from './profile.js';

/**
 * The built-in hardware profiles (what `nla profiles` lists), in their registry order, each a copy that
 * the caller may change without touching the registry. A profile file is read with `loadProfile`.
 */
export function listProfiles(): Profile[] {
  return Object.values(BUILTIN_PROFILES).map((p) => structuredClone(p));
}
