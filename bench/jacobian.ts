/**
 * ROS3 with the circuit's closed-form Jacobian (emulator/analog/circuit-jacobian.ts) against ROS3 with
 * Jacobians by forward differences, on hard-sigmoid networks on `opamp-board` (kinks locked, rtol 10⁻⁶,
 * 50 ms, bench/kinks.ts's drive). Alternating runs, medians; both in the same process and run.
 *
 *   npm run bench:jacobian [-- --reps 3 --sizes 5-8-3,10-40-10]
 */
import { compileCircuit } from '../compiler/circuit/compile.js';
import { layeredNetwork } from '../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../hardware-models/profiles/builtin.js';
import { modelFromCircuit } from '../emulator/analog/model.js';
import { AnalogSimulator } from '../emulator/analog/simulator.js';
import type { StepStats } from '../emulator/analog/ode/ode.js';
import { driveFor } from './kinks.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const REPS = Number(arg('reps', '3'));
const SIZES = arg('sizes', '5-8-3,10-40-10').split(',').map((s) => s.split('-').map(Number));
const DURATION_MS = 50;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function once(sizes: number[], closedForm: boolean): { wallMs: number; stats: StepStats } {
  const g = layeredNetwork(sizes, { activation: 'hard-sigmoid', seed: 3, beta: 0.2, init: { distribution: 'normal', std: 0.8 } }).build();
  const sim = new AnalogSimulator(modelFromCircuit(compileCircuit(g, structuredClone(BUILTIN_PROFILES['opamp-board']!), { seed: 5 })), { solver: 'rosenbrock', rtol: 1e-6, atol: 1e-9, events: true });
  if (!closedForm) (sim.system as { jacobian: unknown }).jacobian = null;
  const t0 = performance.now();
  const r = sim.run({ durationMs: DURATION_MS, drive: driveFor(g, DURATION_MS), probes: [], sampleEveryMs: 1 });
  return { wallMs: performance.now() - t0, stats: r.summary.stats };
}

console.log(`| network | closed form: wall, evaluations of f, Jacobians | differenced: wall, evaluations of f, Jacobians | speed-up |\n|---|---|---|---|`);
for (const sizes of SIZES) {
  const runs: Record<'closed' | 'diff', { wallMs: number; stats: StepStats }[]> = { closed: [], diff: [] };
  for (let k = 0; k < REPS; k++) {
    runs.closed.push(once(sizes, true));
    runs.diff.push(once(sizes, false));
  }
  const w = (xs: { wallMs: number }[]) => median(xs.map((x) => x.wallMs));
  const s = (xs: { stats: StepStats }[]) => xs[0]!.stats;
  const cell = (xs: { wallMs: number; stats: StepStats }[]) => `${w(xs).toFixed(0)} ms, ${s(xs).rhsEvaluations}, ${s(xs).jacobians}`;
  console.log(`| ${sizes.join('-')} | ${cell(runs.closed)} | ${cell(runs.diff)} | ${(w(runs.diff) / w(runs.closed)).toFixed(2)}× |`);
}
