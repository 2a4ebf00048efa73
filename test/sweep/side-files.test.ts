import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla } from '../cli/run-nla.js';
import { modelFields, sideFileSpec, sweepFile } from './sweep-helpers.js';

// A network spec's side files (weights in a CSV beside it) decide a job's result as much as the spec does:
// the job's hash covers their contents, so editing one reruns the jobs instead of reusing stale results.
// Truth: the rows of a sweep run on the edited weights from scratch.
beforeAll(ensureBuilt);
type Rows = Array<Record<string, unknown>>;
const rowsOf = (out: string): Rows => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).rows;

describe('nla sweep and a spec with side files', () => {
  it('editing a side file gives new jobs: the rerun runs them all and its rows are those of the new weights', () => {
    const s = sweepFile({});
    const a = sideFileSpec(s.dir, 0.5);
    const file = sweepFile(a.sweep).file;
    const first = nla(['sweep', file, '--out', s.out, '--workers', '2', '--quiet', '--json']);
    expect(first.code, first.err).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ jobs: 2, ran: 2, failed: 0 });
    const before = rowsOf(s.out);
    sideFileSpec(s.dir, 1.5); // the same spec text, other weights
    const again = nla(['sweep', file, '--out', s.out, '--workers', '2', '--quiet', '--json']);
    expect(JSON.parse(again.out)).toMatchObject({ jobs: 2, skipped: 0, ran: 2, failed: 0 });
    const after = rowsOf(s.out);
    expect(after.map((r) => r.hash)).not.toEqual(before.map((r) => r.hash));
    expect(after.map(modelFields)).not.toEqual(before.map(modelFields));
    const fresh = nla(['sweep', file, '--out', join(s.dir, 'fresh'), '--workers', '2', '--quiet']);
    expect(fresh.code, fresh.err).toBe(0);
    expect(rowsOf(join(s.dir, 'fresh')).map(modelFields)).toEqual(after.map(modelFields));
  });

  it('a side file that does not exist is refused before any job runs (exit 2, naming the field)', () => {
    const s = sweepFile({});
    const a = sideFileSpec(s.dir, 0.5);
    rmSync(a.weights);
    const r = nla(['sweep', sweepFile(a.sweep).file, '--out', s.out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.err).toContain("projections[0].weights names the side file 'w.csv', which does not exist");
  });
});
