/**
 * User modules loaded at run time through SystemJS, from a URL or a local file's text. A plugin is a
 * module (System.register format, as `tsc --module system` writes it; it may import the toolkit through
 * the import map's `nla/` prefix) exporting one or more of the toolkit's extension objects, each handed to
 * the same registration interface a Node program uses:
 * - `profile`: a hardware profile, exactly what a profile JSON file holds in Node (`--profile file.json`:
 *   `format`, `name`, usually `extends` a built-in one and overrides fields). It is checked by the same
 *   `validateProfile` and reaches the analog engine through the same `loadProfile`, as the file
 *   `plugins/<name>.json` of the page's file table.
 * - `componentModel`: a component model (`registerComponentModel`, hardware-models/components/
 *   component-models.ts). The analog run then uses the plugin's profile if it exports one (naming the model
 *   in `membrane.model`), else the selected built-in profile with `membrane.model` set to the model.
 * - `stimulus`: a stimulus generator (`registerStimulusGenerator`, emulator/stimulus/generators.ts); the
 *   runs then take their input rates from it instead of the input CSV.
 */
import { UsageError } from '../core/errors.js';
import { PROFILE_FORMAT } from '../hardware-models/profiles/profile.js';
import { validateProfile } from '../hardware-models/profiles/validate.js';
import { registerComponentModel } from '../hardware-models/components/component-models.js';
import { registerStimulusGenerator } from '../emulator/stimulus/generators.js';
import { registerFile } from './shims/node-fs.js';

/** The exports a plugin may give, and what each is (the refusal of a module giving none lists them). */
export const PLUGIN_EXPORTS = {
  profile: 'a hardware profile object, as a profile JSON file holds',
  componentModel: "a component model: { component: 'membrane', name, population(params, units) }",
  stimulus: 'a stimulus generator: { name, rate(tMs, channel, channels), slope? }',
} as const;

/** What a loaded plugin gave: what each run takes from it, and the names to show. */
export interface LoadedPlugin {
  url: string;
  /** The extension exports it gave, in PLUGIN_EXPORTS order. */
  kinds: Array<keyof typeof PLUGIN_EXPORTS>;
  /** Its extensions' names, joined (the page's status line). */
  name: string;
  /** The value of the analog engine's `profile` option that selects its profile; null: the selected one. */
  profileOption: string | null;
  /** The registered stimulus generator's name, in place of the input CSV; null: the CSV. */
  stimulus: string | null;
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

/** The module at `url`; a module that does not load or run (a syntax error, a failed import) is refused naming it. */
async function importModule(url: string, label: string): Promise<Record<string, unknown>> {
  try {
    return await system().import(url);
  } catch (e) {
    const message = String((e as Error).message ?? e);
    const answer = /^https?:/.test(url) ? await fetch(url).then((r) => (r.ok ? null : `${url} answered ${r.status} ${r.statusText}`), (f: Error) => `${url} could not be fetched: ${f.message}`) : null;
    throw new UsageError(`plugin ${label}: the module did not load${answer ? `: ${answer}` : ` (is it a System.register module without errors?): ${message}`}`);
  }
}

/** Registers the plugin's profile as a file of the page's table; returns the analog engine's `profile` option. */
function registerProfile(label: string, raw: unknown): { file: string; name: string } {
  const profile = validateProfile(structuredClone(raw), `plugin ${label} (export 'profile')`);
  const file = `plugins/${profile.name}.json`;
  registerFile(file, JSON.stringify(raw));
  return { file, name: profile.name };
}

/**
 * Loads the plugin at `url` and registers what it exports; refuses a module exporting no extension, or a
 * malformed one, naming the URL and what is missing. `baseProfile` (a built-in profile's name) is the
 * profile a component model without a profile of its own is used in. `label` names the plugin in
 * messages (default the URL; a picked file's `blob:` URL is better named by the file's name).
 */
export async function loadPlugin(url: string, baseProfile: string, label = url): Promise<LoadedPlugin> {
  const mod = await importModule(url, label);
  const kinds = (Object.keys(PLUGIN_EXPORTS) as Array<keyof typeof PLUGIN_EXPORTS>).filter((k) => mod[k] !== undefined);
  if (!kinds.length) {
    const expected = Object.entries(PLUGIN_EXPORTS).map(([k, what]) => `'${k}' (${what})`).join(', or ');
    throw new UsageError(`plugin ${label}: exports ${Object.keys(mod).join(', ') || 'nothing'}; expected ${expected}`);
  }
  if (mod.profile !== undefined && mod.componentModel !== undefined) {
    const model = (mod.profile as { membrane?: { model?: unknown } } | null)?.membrane?.model;
    const own = (mod.componentModel as { name?: unknown } | null)?.name;
    if (model !== own) throw new UsageError(`plugin ${label}: exports a component model '${String(own)}' and a profile whose membrane.model is ${model === undefined ? 'not set' : `'${String(model)}'`}: the model would be registered and never used; set the profile's membrane.model to '${String(own)}'`);
  }
  const names: string[] = [];
  let profileOption: string | null = null;
  let stimulus: string | null = null;
  if (mod.componentModel !== undefined) names.push(registerComponentModel(mod.componentModel, `plugin ${label} (export 'componentModel')`).name);
  if (mod.stimulus !== undefined) names.push((stimulus = registerStimulusGenerator(mod.stimulus, `plugin ${label} (export 'stimulus')`).name));
  if (mod.profile !== undefined) {
    const p = registerProfile(label, mod.profile);
    names.unshift(p.name);
    profileOption = p.file;
  } else if (mod.componentModel !== undefined) {
    const model = names[0]!;
    profileOption = registerProfile(label, { format: PROFILE_FORMAT, name: `${baseProfile}+${model}`, extends: baseProfile, membrane: { model } }).file;
  }
  return { url, kinds, name: names.join(' + '), profileOption, stimulus };
}
