/**
 * User modules loaded at run time through SystemJS, from a URL or a local file's text. A plugin is a
 * module (System.register format, as `tsc --module system` writes it; it may import the toolkit through
 * the import map's `nla/` prefix) exporting one of the toolkit's extension objects:
 * - `profile`: a hardware profile, exactly what a profile JSON file holds in Node (`--profile file.json`:
 *   `format`, `name`, usually `extends` a built-in one and overrides fields). It is checked by the same
 *   `validateProfile` and reaches the analog engine through the same `loadProfile`, as the file
 *   `plugins/<name>.json` of the page's file table.
 */
import { UsageError } from '../core/errors.js';
import { validateProfile } from '../hardware-models/profiles/validate.js';
import { registerFile } from './shims/node-fs.js';

/** What a loaded plugin gave: the profile option to pass to the analog engine, and its name. */
export interface LoadedPlugin {
  url: string;
  kind: 'profile';
  name: string;
  /** The value of the analog engine's `profile` option that selects it. */
  profileOption: string;
}

interface SystemLoader {
  import(url: string): Promise<Record<string, unknown>>;
}

function system(): SystemLoader {
  const s = (globalThis as { System?: SystemLoader }).System;
  if (!s) throw new Error('SystemJS is not loaded (vendor/system.js must run before the toolkit)');
  return s;
}

/** A module's text as a URL SystemJS can load (a local file the user picked). */
export function moduleUrlOfText(text: string): string {
  return URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));
}

/** Loads the plugin at `url` and registers what it exports; refuses a module exporting no extension. */
export async function loadPlugin(url: string): Promise<LoadedPlugin> {
  const mod = await system().import(url);
  if (mod.profile === undefined) throw new UsageError(`plugin ${url}: exports ${Object.keys(mod).join(', ') || 'nothing'}; expected 'profile' (a hardware profile object, as a profile JSON file holds)`);
  const file = `plugins/${String((mod.profile as { name?: unknown }).name ?? 'plugin')}.json`;
  const profile = validateProfile(structuredClone(mod.profile), `${url} (export 'profile')`);
  registerFile(file, JSON.stringify(mod.profile));
  return { url, kind: 'profile', name: profile.name, profileOption: file };
}
