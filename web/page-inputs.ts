/**
 * The workbench form read into a worker job: the network and input files (the bundled example, picked
 * files or URLs), the optional targets and events CSVs (a picked file or a URL), the run's parameters, the plugin. Every value is checked and refused naming the field.
 */
import { UsageError } from '../core/errors.js';
import type { WorkerJob } from './worker-messages.js';

/** The parameters a caller (a test, the console) may set instead of the form's. */
export interface RunParameters {
  source?: 'example' | 'files' | 'url';
  specUrl?: string;
  inputUrl?: string;
  durationMs?: number;
  dtMs?: number;
  profile?: string;
  seed?: number;
  learn?: boolean;
  tolerance?: number | null;
  pluginUrl?: string | null;
  /** The targets CSV (`nla simulate --target`) by URL; null: none (the form's file picker is not read either). */
  targetUrl?: string | null;
  /** The events CSV (`nla simulate --events`) by URL; null: none (the form's file picker is not read either). */
  eventsUrl?: string | null;
  /** Which engines run, default A = digital and B = the form's choice (analog, or spice: ngspice as WebAssembly). */
  engines?: string[];
  /** Live rows and progress every this many model ms; default about twice a second of wall time. */
  progressEveryMs?: number;
}

const EXAMPLE = { spec: 'examples/teacher/network.json', input: 'examples/teacher/input.csv' };

function el<T extends HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

function numberField(id: string, given: number | undefined, what: string, positive: boolean): number {
  const v = given ?? Number(el<HTMLInputElement>(id).value);
  if (!Number.isFinite(v) || (positive && !(v > 0))) throw new UsageError(`${what}: expected a ${positive ? 'positive ' : ''}number, got '${String(given ?? el<HTMLInputElement>(id).value)}'`);
  return v;
}

async function fetchText(url: string, what: string): Promise<string> {
  const r = await fetch(url);
  if (!r.ok) throw new UsageError(`${what}: ${url} answered ${r.status} ${r.statusText}`);
  return r.text();
}

/** The network and input files by the chosen source, as paths and texts for the worker's table. */
async function networkFiles(p: RunParameters): Promise<{ files: Record<string, string>; spec: string; input: string }> {
  const source = p.source ?? (el<HTMLInputElement>('controls').querySelector<HTMLInputElement>('input[name=source]:checked')?.value as RunParameters['source']);
  if (source === 'files') {
    const picked = [...(el<HTMLInputElement>('files').files ?? [])];
    const spec = picked.find((f) => f.name.endsWith('.json'));
    const input = picked.find((f) => f.name.endsWith('.csv'));
    if (!spec || !input) throw new UsageError('files: pick the network (.json) and its input (.csv) together');
    return { files: { [`picked/${spec.name}`]: await spec.text(), [`picked/${input.name}`]: await input.text() }, spec: `picked/${spec.name}`, input: `picked/${input.name}` };
  }
  const urls = source === 'url' ? { spec: p.specUrl ?? el<HTMLInputElement>('spec-url').value, input: p.inputUrl ?? el<HTMLInputElement>('input-url').value } : EXAMPLE;
  if (!urls.spec || !urls.input) throw new UsageError('URLs: give the network JSON and the input CSV');
  const spec = source === 'url' ? 'url/network.json' : EXAMPLE.spec;
  const input = source === 'url' ? 'url/input.csv' : EXAMPLE.input;
  return { files: { [spec]: await fetchText(urls.spec, 'network'), [input]: await fetchText(urls.input, 'input') }, spec, input };
}

/** The path a fetched URL's file has in the worker's table: its path on the server (errors name it so). */
function tablePathOfUrl(url: string): string {
  const path = decodeURIComponent(new URL(url, location.href).pathname).replace(/^\/+/, '');
  return `url/${path || 'file'}`;
}

/**
 * An optional side CSV (targets, events) by URL (the parameter, else the form's URL field) or else the
 * form's file picker: its path in the worker's table and its text, or null when none is given.
 */
async function sideFile(p: string | null | undefined, urlField: string, fileField: string, what: string): Promise<{ path: string; text: string } | null> {
  if (p === null) return null;
  const url = p ?? el<HTMLInputElement>(urlField).value;
  if (url) return { path: tablePathOfUrl(url), text: await fetchText(new URL(url, location.href).href, what) };
  const file = p === undefined ? el<HTMLInputElement>(fileField).files?.[0] : undefined;
  return file ? { path: `picked/${file.name}`, text: await file.text() } : null;
}

async function pluginOf(p: RunParameters): Promise<WorkerJob['plugin']> {
  const url = p.pluginUrl !== undefined ? p.pluginUrl : el<HTMLInputElement>('plugin-url').value;
  if (url) return { url: new URL(url, location.href).href };
  const file = p.pluginUrl === undefined ? el<HTMLInputElement>('plugin-file').files?.[0] : undefined;
  return file ? { text: await file.text(), name: file.name } : null;
}

/** The job for the worker from the form, `p` overriding its fields. */
export async function jobFromForm(id: number, p: RunParameters): Promise<WorkerJob> {
  const net = await networkFiles(p);
  const durationMs = numberField('duration', p.durationMs, 'duration (ms)', true);
  const dtMs = numberField('dt', p.dtMs, 'digital dt (ms)', true);
  const seed = numberField('seed', p.seed, 'seed', false);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`seed: expected a whole number ≥ 0, got ${seed}`);
  const tolText = el<HTMLInputElement>('tolerance').value;
  const tolerance = p.tolerance !== undefined ? p.tolerance : tolText === '' ? null : numberField('tolerance', undefined, 'tolerance', true);
  const learn = p.learn ?? el<HTMLInputElement>('learn').checked;
  const profile = p.profile ?? el<HTMLSelectElement>('profile').value;
  const target = await sideFile(p.targetUrl, 'target-url', 'target-file', 'targets');
  const events = await sideFile(p.eventsUrl, 'events-url', 'events-file', 'events');
  const files = { ...net.files, ...(target ? { [target.path]: target.text } : {}), ...(events ? { [events.path]: events.text } : {}) };
  const progressEveryMs = p.progressEveryMs !== undefined ? numberField('progress-every', p.progressEveryMs, 'progressEveryMs (ms)', true) : undefined;
  const common = { spec: net.spec, input: net.input, target: target?.path, events: events?.path, durationMs, seed, learn, ...(progressEveryMs !== undefined ? { progressEveryMs } : {}) };
  const all = [
    { ...common, engine: 'digital', options: { dt: `${dtMs}ms` } },
    { ...common, engine: 'analog', options: { profile } },
    { ...common, engine: 'spice', options: { profile } },
  ];
  const runs = all.filter((r) => (p.engines ?? ['digital', el<HTMLSelectElement>('engine-b').value]).includes(r.engine));
  return { id, files, plugin: await pluginOf(p), runs, compare: runs.length === 2 ? { maxShiftMs: 5, tolerance } : null };
}
