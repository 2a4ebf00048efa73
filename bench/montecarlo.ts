/**
 * Benchmark of the Monte Carlo worker pool (`npm run bench:montecarlo`): chips per minute on 1 worker
 * (in this thread) and on 2 worker threads, the same chips (same seeds) in the same run, alternating,
 * REPS times; medians and the speed-up ratio. Two workloads:
 * 1. transient: the bundled example (6-24-3) on the subthreshold profile, 50 ms of the analog emulator
 *    per chip (Euler–Maruyama, noise on), 8 chips;
 * 2. classifier: a 196-100-10 hard-sigmoid network on the subthreshold profile, 500 MNIST test images at
 *    each chip's DC operating point, 8 chips (chips of a few ms: the workers' start-up shows);
 * 3. classifier: the paper's 784-500-10 (examples/mnist/network.json, its initial weights: the speed does
 *    not depend on them), 1,000 MNIST test images a chip, 8 chips.
 * Writes out/benchmarks-montecarlo.{md,json}.
 *
 *   npm run bench:montecarlo [-- --quick]
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileCircuit } from '../compiler/circuit/compile.js';
import { BUILTIN_PROFILES } from '../hardware-models/profiles/builtin.js';
import { digitalEngine } from '../emulator/digital/engine.js';
import { parseProbes } from '../emulator/probes/probe.js';
import { driveFromFiles } from '../cli/drive-files.js';
import { classify, loadNetwork, type MonteCarloSetup } from '../cli/montecarlo/chip.js';
import { runMonteCarlo, type Reference } from '../cli/montecarlo/run.js';
import { testImages } from '../cli/montecarlo/test-set.js';

const quick = process.argv.includes('--quick');
const REPS = quick ? 1 : 3;
const CHIPS = 8;
const root = fileURLToPath(new URL('../..', import.meta.url));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function transientCase(): Promise<{ setup: MonteCarloSetup; reference: Reference }> {
  const setup: MonteCarloSetup = {
    specPath: join(root, 'examples/teacher/network.json'),
    statePath: null,
    profile: BUILTIN_PROFILES.subthreshold!,
    calibrate: 'none',
    transient: { durationMs: 50, sampleEveryMs: 1, learn: false, init: 'rest', probes: 'u:out', engineValues: {}, input: join(root, 'examples/teacher/input.csv'), interp: 'step', targetInterp: 'step' },
    classifier: null,
  };
  const g = loadNetwork(setup);
  const e = await digitalEngine.create({ kind: 'network', graph: g, file: setup.specPath }, { init: 'rest', learn: false, seed: undefined }, {});
  const out = await e.run({ durationMs: 50, drive: driveFromFiles(g, setup.transient!), probes: parseProbes('u:out', g), sampleEveryMs: 1, weightsEveryMs: undefined });
  return { setup, reference: { kind: 'transient', traces: out.traces } };
}

function classifierCase(big = false): { setup: MonteCarloSetup; reference: Reference } {
  const dir = mkdtempSync(join(tmpdir(), 'nla-bench-mc-'));
  const spec = big ? join(root, 'examples/mnist/network.json') : join(dir, 'net.json');
  if (!big) writeFileSync(spec, JSON.stringify({ format: 'nla-network/1', name: 'mnist-196-100-10', seed: 2, tauMs: 10, beta: 0.1, activation: 'hard-sigmoid', init: { distribution: 'normal', mean: 0, std: 0.05, cutoff: 0.15 }, populations: [{ name: 'in', kind: 'input', size: 196 }, { name: 'h', kind: 'hidden', size: 100, bias: true }, { name: 'out', kind: 'output', size: 10, bias: true }], projections: [{ from: 'in', to: 'h' }, { from: 'h', to: 'out' }] }));
  const count = big ? 1000 : 500;
  const setup: MonteCarloSetup = { specPath: spec, statePath: null, profile: BUILTIN_PROFILES.subthreshold!, calibrate: 'none', transient: null, classifier: { dataset: 'mnist', images: count } };
  const g = loadNetwork(setup);
  const images = testImages('mnist', count, g);
  const ideal = classify(compileCircuit(g, BUILTIN_PROFILES.ideal!, { seed: 1 }), images);
  return { setup, reference: { kind: 'classifier', outputs: ideal.outputs!, labels: images.labels, outputsPerImage: 10 } };
}

async function chipsPerMinute(c: { setup: MonteCarloSetup; reference: Reference }, workers: number): Promise<{ perMin: number; traceErrors: number[] }> {
  const t0 = performance.now();
  const r = await runMonteCarlo({ setup: c.setup, runs: CHIPS, seed: 3, corners: [null], sensitivityRuns: 0, workers, tolerance: null, maxTaskError: null, reference: c.reference });
  const s = (performance.now() - t0) / 1000;
  return { perMin: ((CHIPS + 1) / s) * 60, traceErrors: r.corners[0]!.chips.map((x) => x.traceError) };
}

async function main(): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  for (const [name, make] of [['transient: example 6-24-3, 50 ms, subthreshold', transientCase], ['classifier: 196-100-10, 500 MNIST images at DC, subthreshold', async () => classifierCase()], ['classifier: 784-500-10, 1,000 MNIST images at DC, subthreshold', async () => classifierCase(true)]] as const) {
    const c = await make();
    const one: number[] = [];
    const two: number[] = [];
    for (let k = 0; k < REPS; k++) {
      const a = await chipsPerMinute(c, 1);
      const b = await chipsPerMinute(c, 2);
      if (a.traceErrors.join() !== b.traceErrors.join()) throw new Error(`${name}: 1 and 2 workers gave different chips`);
      one.push(a.perMin);
      two.push(b.perMin);
    }
    rows.push({ workload: name, 'chips/min, 1 worker (median)': median(one), 'chips/min, 2 workers (median)': median(two), 'speed-up (ratio of medians)': median(two) / median(one), reps: REPS });
    process.stderr.write(`${name}: ${median(one).toFixed(1)} → ${median(two).toFixed(1)} chips/min\n`);
  }
  const md = ['| workload | chips/min, 1 worker | chips/min, 2 workers | speed-up |', '|---|---|---|---|', ...rows.map((r) => `| ${r.workload} | ${Number(r['chips/min, 1 worker (median)']).toFixed(1)} | ${Number(r['chips/min, 2 workers (median)']).toFixed(1)} | ${Number(r['speed-up (ratio of medians)']).toFixed(2)}× |`)].join('\n');
  mkdirSync('out', { recursive: true });
  writeFileSync('out/benchmarks-montecarlo.md', `${md}\n\n${CHIPS + 1} chips per measurement (the nominal chip included), medians of ${REPS}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}).\n`);
  writeFileSync('out/benchmarks-montecarlo.json', JSON.stringify({ rows, cores: cpus().length }, null, 2));
  process.stdout.write(`${md}\n`);
}

await main();
