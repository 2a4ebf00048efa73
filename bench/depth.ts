/**
 * Cost per synapse·step of the digital engine against size and depth (`npm run bench:depth`): five
 * layered networks (depths 2 to 10), batch 1, learning on, hard sigmoid, β = 0.1, 5 ms random frames at
 * dt = 0.05 ms. Each timed block is one frame (100 steps, the frame switch's event treatment included), and
 * the figure is the median CPU time of the blocks divided by steps × synapses.
 *
 * With `--baseline DIR` (a `dist/` folder of another build, e.g. main's), the same networks run on that
 * build too, block for block interleaved in this process, and the report gives both columns and the
 * largest difference of u, u̇ and the weights between the two after the same steps.
 *
 *   npm run bench:depth [-- --baseline ../main/dist --reps 5 --quick]
 *
 * Writes out/benchmarks-depth.{md,json,svg}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { layeredNetwork } from '../compiler/spec/builder.js';
import { DigitalSimulator } from '../emulator/digital/simulator.js';
import { depthPlot, type DepthPoint } from './depth-plot.js';
import { FrameDrive } from './frame-drive.js';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const QUICK = process.argv.includes('--quick');
const REPS = Number(arg('reps', QUICK ? '3' : '5'));
const FRAME_MS = 5;
const DT_MS = 0.05;
const FRAME_STEPS = Math.round(FRAME_MS / DT_MS);

const NETWORKS: number[][] = [
  [196, 100, 10],
  [784, 500, 10],
  [784, 1000, 500, 10],
  [784, 500, 500, 500, 10],
  [784, ...Array<number>(9).fill(300), 10],
];

/** The pieces of one build that the benchmark drives (this one, or a baseline loaded from its dist/). */
interface Build {
  label: string;
  layeredNetwork: typeof layeredNetwork;
  DigitalSimulator: typeof DigitalSimulator;
  FrameDrive: typeof FrameDrive;
}

async function loadBuild(dir: string): Promise<Build> {
  const at = (p: string) => pathToFileURL(resolve(dir, p)).href;
  const spec = (await import(at('compiler/spec/builder.js'))) as { layeredNetwork: typeof layeredNetwork };
  const sim = (await import(at('emulator/digital/simulator.js'))) as { DigitalSimulator: typeof DigitalSimulator };
  const drv = (await import(at('bench/frame-drive.js'))) as { FrameDrive: typeof FrameDrive };
  return { label: `baseline (${dir})`, layeredNetwork: spec.layeredNetwork, DigitalSimulator: sim.DigitalSimulator, FrameDrive: drv.FrameDrive };
}

/** One network on one build, warmed up by one frame (its first step sets up the state). */
function start(b: Build, sizes: number[]) {
  const g = b.layeredNetwork(sizes, { activation: 'hard-sigmoid', seed: 1, beta: 0.1, bias: true, init: { distribution: 'normal', std: 0.01, cutoff: 0.03 } })
    .plasticity({ enabled: true, etaPerMs: 1e-3 })
    .build();
  const sim = new b.DigitalSimulator(g, { dtMs: DT_MS, learn: true });
  const drive = new b.FrameDrive(g.nStimulusInputs, g.outputs.length, FRAME_MS, 16, 1);
  for (let i = 0; i < FRAME_STEPS; i++) sim.step(drive);
  const synapses = g.projections.reduce((s, p) => s + p.rows * p.cols, 0);
  return { sim, drive, synapses, nsPerSynapseStep: [] as number[] };
}

/** CPU time (ns) of one frame of steps. */
function block(r: ReturnType<typeof start>): number {
  const c0 = process.cpuUsage();
  for (let i = 0; i < FRAME_STEPS; i++) r.sim.step(r.drive);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) * 1000;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const median = (xs: number[]) => [...xs].sort((p, q) => p - q)[(xs.length - 1) >> 1]!;

interface Row {
  network: string;
  depth: number;
  synapses: number;
  nsPerSynapseStep: number;
  baselineNsPerSynapseStep: number | null;
  /** Largest |Δu|, |Δu̇| and |ΔW| against the baseline after the same 100·(reps + 1) steps. */
  maxDiff: { u: number; udot: number; weights: number } | null;
}

async function main(): Promise<void> {
  const here: Build = { label: 'this build', layeredNetwork, DigitalSimulator, FrameDrive };
  const baseDir = arg('baseline', '');
  const base = baseDir ? await loadBuild(baseDir) : null;
  const rows: Row[] = [];
  for (const sizes of QUICK ? NETWORKS.slice(0, 3) : NETWORKS) {
    const name = sizes.join('-');
    process.stderr.write(`${name}\n`);
    const a = start(here, sizes);
    const b = base ? start(base, sizes) : null;
    for (let r = 0; r < REPS; r++) {
      for (const x of b ? [a, b] : [a]) x.nsPerSynapseStep.push(block(x) / FRAME_STEPS / x.synapses);
    }
    const wa = a.sim.weights();
    const wb = b?.sim.weights();
    rows.push({
      network: name,
      depth: sizes.length - 1,
      synapses: a.synapses,
      nsPerSynapseStep: median(a.nsPerSynapseStep),
      baselineNsPerSynapseStep: b ? median(b.nsPerSynapseStep) : null,
      maxDiff: b && wb ? { u: maxDiff(a.sim.workspace.u, b.sim.workspace.u), udot: maxDiff(a.sim.workspace.udot, b.sim.workspace.udot), weights: Math.max(...wa.map((w, k) => maxDiff(w, wb[k]!))) } : null,
    });
  }
  const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`;
  const fmt = (x: number | null) => (x === null ? '–' : x.toFixed(2));
  const md = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; batch 1, learning on, hard sigmoid, β = 0.1, ${FRAME_MS} ms random frames at dt = ${DT_MS} ms; median CPU time of ${REPS} blocks of one frame (${FRAME_STEPS} steps, the frame switch's event treatment included)${base ? `; baseline: ${base.label}, blocks interleaved in the same process` : ''}.`,
    '',
    '| network | depth | synapses | ns per synapse·step | baseline | speed-up | max \\|Δu\\| vs baseline | max \\|ΔW\\| |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.network} | ${r.depth} | ${r.synapses} | ${fmt(r.nsPerSynapseStep)} | ${fmt(r.baselineNsPerSynapseStep)} | ${r.baselineNsPerSynapseStep ? `${(r.baselineNsPerSynapseStep / r.nsPerSynapseStep).toFixed(2)}×` : '–'} | ${r.maxDiff ? r.maxDiff.u.toExponential(1) : '–'} | ${r.maxDiff ? r.maxDiff.weights.toExponential(1) : '–'} |`),
  ].join('\n');
  process.stdout.write(md + '\n');
  mkdirSync('out', { recursive: true });
  writeFileSync('out/benchmarks-depth.md', md + '\n');
  writeFileSync('out/benchmarks-depth.json', JSON.stringify({ machine, reps: REPS, frameSteps: FRAME_STEPS, baseline: baseDir || null, rows }, null, 2));
  const points: DepthPoint[] = rows.flatMap((r) => [
    { depth: r.depth, synapses: r.synapses, nsPerSynapseStep: r.nsPerSynapseStep, build: 'this build' as const },
    ...(r.baselineNsPerSynapseStep !== null ? [{ depth: r.depth, synapses: r.synapses, nsPerSynapseStep: r.baselineNsPerSynapseStep, build: 'baseline' as const }] : []),
  ]);
  writeFileSync('out/benchmarks-depth.svg', depthPlot(points, 'Digital engine, batch 1: cost per synapse·step against size and depth'));
}

await main();
