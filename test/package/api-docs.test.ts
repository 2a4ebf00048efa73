import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// docs/api is the TypeDoc reference of the public indexes (typedoc.json: api/index.ts and one index per
// layer), committed so that readers need no build. This regenerates it into a temporary folder and fails
// when the committed copy differs ("run npm run docs:api"), or when TypeDoc warns: typedoc.json treats
// warnings as errors and validates that every exported class, interface, type and constant is
// documented. TypeDoc's own check cannot ask functions for a comment without asking every method too,
// so the functions of each module are checked here, in TypeDoc's JSON of the same run.

const root = fileURLToPath(new URL('../..', import.meta.url));
const typedoc = join(root, 'node_modules/typedoc/bin/typedoc');
const dir = mkdtempSync(join(tmpdir(), 'nla-api-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every file under a folder, as paths relative to it, sorted. */
function tree(base: string): string[] {
  return readdirSync(base, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(base, join(e.parentPath, e.name)))
    .sort();
}

/** A reflection of TypeDoc's JSON output, as far as this test reads it. */
interface Reflection {
  name: string;
  kind: number;
  comment?: unknown;
  signatures?: Reflection[];
  children?: Reflection[];
}

const FUNCTION = 64;

describe('API reference (docs/api)', () => {
  let run: { status: number | null; output: string } = { status: null, output: '' };
  it('TypeDoc runs over the public indexes without a warning (every export documented)', () => {
    const r = spawnSync(process.execPath, [typedoc, '--out', join(dir, 'html'), '--json', join(dir, 'api.json')], { cwd: root, encoding: 'utf8' });
    run = { status: r.status, output: `${r.stdout}${r.stderr}` };
    expect(run.status, `typedoc failed (undocumented export or broken link?):\n${run.output}`).toBe(0);
  });

  it('every exported function has a doc comment', () => {
    expect(run.status).toBe(0);
    const api = JSON.parse(readFileSync(join(dir, 'api.json'), 'utf8')) as Reflection;
    const modules = api.children ?? [];
    expect(modules.map((m) => m.name).sort()).toEqual(['nla-toolkit', 'nla-toolkit/compiler', 'nla-toolkit/core', 'nla-toolkit/emulator', 'nla-toolkit/hardware-models', 'nla-toolkit/host', 'nla-toolkit/report']);
    const functions = modules.flatMap((m) => (m.children ?? []).filter((c) => c.kind === FUNCTION).map((f) => ({ name: `${m.name}.${f.name}`, f })));
    expect(functions.length).toBeGreaterThan(20);
    const undocumented = functions.filter(({ f }) => !(f.signatures ?? []).every((s) => s.comment !== undefined)).map((x) => x.name);
    expect(undocumented, 'exported functions without a doc comment').toEqual([]);
  });

  it('the committed docs/api is what `npm run docs:api` generates', () => {
    expect(run.status).toBe(0);
    const stale = 'docs/api is out of date: run npm run docs:api and commit the result';
    const want = tree(join(dir, 'html'));
    expect(tree(join(root, 'docs/api')), stale).toEqual(want);
    const differing = want.filter((f) => !readFileSync(join(root, 'docs/api', f)).equals(readFileSync(join(dir, 'html', f))));
    expect(differing, stale).toEqual([]);
  });
});
