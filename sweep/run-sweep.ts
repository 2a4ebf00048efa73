import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../core/errors.js';
import type { SweepFile } from './sweep-file.js';
import type { SweepJob } from './job.js';
import { loadRecord, saveRecord, type JobRecord } from './job-store.js';
import { resultColumns, resultRows, resultsCsv, isTimingField, type ResultRow } from './results.js';
import { sweepPage } from './html.js';
import { jobArtifactDir } from './job-artifacts.js';
import { seedSummary, type SeedGroup } from './seed-summary.js';
import { lockSweepDir } from './sweep-lock.js';

/** Runs the given jobs somewhere (local pool or queue), calling onDone for each as it finishes. */
export type JobRunner = (jobs: SweepJob[], onDone: (r: JobRecord) => void) => Promise<void>;

/** What a finished sweep reports. */
export interface SweepOutcome {
  skipped: number;
  ran: number;
  failed: number;
  files: string[];
  /** The plotted metric across seeds, when the sweep varies --seed. */
  acrossSeeds: { metric: string; groups: SeedGroup[] } | null;
}

/** A progress line writer: done/total and ETA from the mean time per finished job. */
export function progressLine(total: number, quiet: boolean): (done: number, failed: number) => void {
  const t0 = Date.now();
  return (done, failed) => {
    if (quiet) return;
    const perJob = (Date.now() - t0) / Math.max(1, done);
    const eta = ((total - done) * perJob) / 1000;
    process.stderr.write(`sweep: ${done}/${total} jobs finished${failed ? `, ${failed} failed` : ''}${done < total ? `, ETA ${eta.toFixed(0)} s` : ''}\n`);
  };
}

/** Runs a sweep into `dir`: skips jobs already done there, runs the rest, writes the table and the page. */
export async function runSweep(sweep: SweepFile, jobs: SweepJob[], dir: string, run: JobRunner, o: { metric?: string; quiet: boolean; command: string }): Promise<SweepOutcome> {
  mkdirSync(join(dir, 'jobs'), { recursive: true });
  const release = lockSweepDir(dir);
  try {
    return await runLocked(sweep, jobs, dir, run, o);
  } finally {
    release();
  }
}

async function runLocked(sweep: SweepFile, jobs: SweepJob[], dir: string, run: JobRunner, o: { metric?: string; quiet: boolean; command: string }): Promise<SweepOutcome> {
  // the table of an earlier run (maybe of another sweep file) must not outlive this run looking current
  for (const f of RESULT_FILES) rmSync(join(dir, f), { force: true });
  const todo = jobs.filter((j) => loadRecord(dir, j.hash)?.status !== 'done');
  const skipped = jobs.length - todo.length;
  if (!o.quiet) process.stderr.write(`sweep: ${jobs.length} jobs, ${skipped} already done in ${dir}, ${todo.length} to run\n`);
  const progress = progressLine(todo.length, o.quiet);
  let done = 0;
  let failedNow = 0;
  await run(todo, (r) => {
    saveRecord(dir, withArtifactsWritten(dir, r));
    done++;
    if (r.status !== 'done') failedNow++;
    progress(done, failedNow);
  });
  const records = jobs.map((j) => loadRecord(dir, j.hash) ?? missingRecord(j));
  return { skipped, ran: todo.length, failed: records.filter((r) => r.status !== 'done').length, ...writeResults(sweep, records, dir, o) };
}

function missingRecord(j: SweepJob): JobRecord {
  return { hash: j.hash, command: j.command, args: j.args, params: j.params, status: 'failed', attempts: 0, exitCode: -1, json: null, stderrTail: 'no result' };
}

/** The first HTML page in each job's own folder (jobs/<hash>/), relative to the sweep's folder. */
function jobPages(dir: string, records: JobRecord[]): Record<string, string> {
  const pages: Record<string, string> = {};
  for (const r of records) {
    const own = jobArtifactDir(dir, r.hash);
    const page = existsSync(own) ? readdirSync(own).filter((f) => f.endsWith('.html')).sort()[0] : undefined;
    if (page) pages[r.hash] = relative(dir, join(own, page));
  }
  return pages;
}

/** Writes the files a queued job sent back into its folder, jobs/<hash>/, and returns the record without them. */
function withArtifactsWritten(dir: string, r: JobRecord): JobRecord {
  const { artifacts, ...record } = r;
  const own = resolve(jobArtifactDir(dir, r.hash));
  for (const a of artifacts ?? []) {
    const path = resolve(own, a.name);
    if (!path.startsWith(own + sep)) throw new InputError(`job ${r.hash} sent back a file outside its folder: ${a.name}`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(a.contentBase64, 'base64'));
  }
  return record;
}

const RESULT_FILES = ['results.csv', 'results.json', 'sweep.html'];

/** Writes a file whole or not at all (temp file, then rename). */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** What each command's result is best summed up by, when present (the first that every finished row has). */
const PREFERRED_METRICS: Record<string, string[]> = {
  simulate: ['finalCost', 'maxAbsU'],
  compare: ['verdict.maxAbs'],
  montecarlo: ['corners.0.traceError.mean', 'corners.0.taskError.mean', 'corners.0.yield.fraction'],
  experiment: [],
};

/** Echoes of settings and solver bookkeeping: never the default metric. */
const isBookkeeping = (m: string) => m === 'seed' || /^(stats|settings|params)\./.test(m);

/**
 * The plotted metric when --metric is not given: the command's preferred one that every finished row has,
 * else the first field every finished row has that varies, is no timing and no bookkeeping.
 */
function defaultMetric(command: string, metrics: string[], rows: ResultRow[]): string {
  const done = rows.filter((r) => r.status === 'done');
  const everywhere = (m: string) => done.length > 0 && done.every((r) => typeof r[m] === 'number');
  const varies = (m: string) => new Set(done.map((r) => r[m])).size > 1;
  const candidates = metrics.filter((m) => everywhere(m) && !isTimingField(m) && !isBookkeeping(m));
  return (PREFERRED_METRICS[command] ?? []).find(everywhere) ?? candidates.find(varies) ?? candidates[0] ?? metrics[0] ?? 'exitCode';
}

/** Writes results.csv, results.json and sweep.html (the metric across seeds too, when --seed is swept); a --metric that no row has is refused. */
export function writeResults(sweep: SweepFile, records: JobRecord[], dir: string, o: { metric?: string; command: string }): Pick<SweepOutcome, 'files' | 'acrossSeeds'> {
  const rows = resultRows(sweep.points, records);
  const columns = resultColumns(sweep.parameters, rows);
  const fixed = new Set([...sweep.parameters, 'hash', 'status', 'exitCode', 'attempts']);
  const metrics = columns.filter((c) => !fixed.has(c) && rows.some((r) => typeof r[c] === 'number'));
  if (o.metric && !metrics.includes(o.metric)) throw new InputError(`--metric ${o.metric}: no result has it (numeric fields: ${metrics.join(', ') || 'none'})`);
  const metric = o.metric ?? defaultMetric(sweep.command, metrics, rows);
  const files = RESULT_FILES.map((f) => join(dir, f));
  writeAtomically(files[0]!, resultsCsv(columns, rows));
  const acrossSeeds = seedSummary(sweep.parameters, rows, metric);
  writeAtomically(files[1]!, JSON.stringify({ command: sweep.command, args: sweep.args, parameters: sweep.parameters, ...(acrossSeeds ? { acrossSeeds: { metric, groups: acrossSeeds } } : {}), rows }, null, 2) + '\n');
  writeAtomically(files[2]!, sweepPage({ title: `Sweep: nla ${sweep.command}`, command: o.command, parameters: sweep.parameters, columns, rows, metric, pages: jobPages(dir, records), acrossSeeds }));
  return { files, acrossSeeds: acrossSeeds ? { metric, groups: acrossSeeds } : null };
}
