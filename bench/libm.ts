/**
 * What the deterministic libm (core/libm.ts) costs: the digital engine's steps/s on examples/teacher (6-24-3,
 * logistic) and on 784-500-10 with the logistic, learning on, dt 0.05 ms, and ns per call of
 * libm.exp/log/sin/cos/tanh against Math's on the same arguments. With `--against DIST` (another build's dist
 * folder, e.g. one from before the change) the two builds' engines run in this process in alternating timed
 * blocks, so a shared machine's load hits both alike; it reports each build's median and the median of the
 * per-block ratios. Prints one JSON line.
 *
 *   npm run bench:libm -- [--reps 9] [--against /path/to/other/dist]
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as libm from '../core/libm.js';
import { FrameDrive } from './frame-drive.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const REPS = Number(arg('--reps') ?? 9);
const here = join(fileURLToPath(import.meta.url), '../..');
const root = join(here, '..');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

interface Sim {
  step(drive: FrameDrive): void;
}

/** One build's engine on the two networks, each warmed up. */
async function engines(dist: string): Promise<{ teacher: Sim; mnist: Sim; drives: FrameDrive[] }> {
  const url = (p: string) => pathToFileURL(join(dist, p)).href;
  const { DigitalSimulator } = await import(url('emulator/digital/simulator.js'));
  const { loadSpecFile } = await import(url('compiler/spec/load.js'));
  const { buildGraph } = await import(url('compiler/graph/build.js'));
  const { layeredNetwork } = await import(url('compiler/spec/builder.js'));
  const teacherG = buildGraph(loadSpecFile(join(root, 'examples/teacher/network.json')));
  const mnistG = layeredNetwork([784, 500, 10], { activation: 'logistic', seed: 1, beta: 0.1, bias: true, init: { distribution: 'normal', std: 0.01, cutoff: 0.03 } })
    .plasticity({ enabled: true, etaPerMs: 1e-3 })
    .build();
  const sims = [teacherG, mnistG].map((g) => new DigitalSimulator(g, { dtMs: 0.05, learn: true }) as Sim);
  const drives = [teacherG, mnistG].map((g) => new FrameDrive(g.nStimulusInputs, g.outputs.length, 5, 16, 1));
  for (let i = 0; i < 5000; i++) sims[0]!.step(drives[0]!);
  for (let i = 0; i < 100; i++) sims[1]!.step(drives[1]!);
  return { teacher: sims[0]!, mnist: sims[1]!, drives };
}

function block(sim: Sim, drive: FrameDrive, steps: number): number {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) sim.step(drive);
  return steps / ((performance.now() - t0) / 1000);
}

/** Steps/s of each build, alternating blocks; ratio = this build / the other, per block pair. */
async function engineRates(): Promise<Record<string, number>> {
  const builds = [await engines(here)];
  const against = arg('--against');
  if (against) builds.push(await engines(against));
  const out: Record<string, number> = {};
  for (const [name, steps] of [['teacher', 10000], ['mnist', 150]] as const) {
    const rates: number[][] = builds.map(() => []);
    for (let r = 0; r < REPS; r++) builds.forEach((b, k) => rates[k]!.push(block(b[name], b.drives[name === 'teacher' ? 0 : 1]!, steps)));
    out[`${name} steps/s`] = Math.round(median(rates[0]!));
    if (against) {
      out[`${name} steps/s (--against)`] = Math.round(median(rates[1]!));
      out[`${name} ratio`] = Number(median(rates[0]!.map((x, i) => x / rates[1]![i]!)).toFixed(3));
    }
  }
  return out;
}

/** Median ns per call of f over 1e6 arguments from `args`, REPS blocks. */
function nsPerCall(f: (x: number) => number, args: Float64Array): number {
  let sink = 0;
  const times: number[] = [];
  for (let r = 0; r < REPS + 1; r++) {
    const t0 = performance.now();
    for (let i = 0; i < args.length; i++) sink += f(args[i]!);
    if (r > 0) times.push(((performance.now() - t0) * 1e6) / args.length);
  }
  if (sink === 0.5) console.log('');
  return Number(median(times).toFixed(2));
}

const result: Record<string, number> = await engineRates();
{
  const args = new Float64Array(1_000_000).map((_, i) => Math.sin(i) * 20);
  const pos = args.map(Math.abs);
  const pairs: Array<[string, (x: number) => number, (x: number) => number, Float64Array]> = [
    ['exp', libm.exp, Math.exp, args],
    ['log', libm.log, Math.log, pos],
    ['sin', libm.sin, Math.sin, args],
    ['cos', libm.cos, Math.cos, args],
    ['tanh', libm.tanh, Math.tanh, args],
  ];
  for (const [name, a, b, xs] of pairs) {
    result[`libm.${name} ns`] = nsPerCall(a, xs);
    result[`Math.${name} ns`] = nsPerCall(b, xs);
  }
}
console.log(JSON.stringify(result));
