/**
 * Benchmarks of the analog path (`npm run bench:analog`): the continuous-time emulator against ngspice on
 * the same circuits at matched accuracy, and the emulator's cost per simulated second on the ideal
 * profile against the digital engine at dt = τ/100, for three network sizes. Medians of repeated runs;
 * every ratio is measured in the same run. Writes out/benchmarks-analog.{md,json}.
 *
 *   npm run bench:analog [-- --quick] [-- --spice-only | --ideal-only]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { compileCircuit } from '../compiler/circuit/compile.js';
import { emitSpice } from '../compiler/spice/netlist.js';
import { layeredNetwork } from '../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../hardware-models/profiles/builtin.js';
import { modelFromCircuit } from '../emulator/analog/model.js';
import { AnalogSimulator } from '../emulator/analog/simulator.js';
import { runDigital } from '../emulator/digital/run.js';
import { DigitalSimulator } from '../emulator/digital/simulator.js';
import { parseProbes } from '../emulator/probes/probe.js';
import type { TraceTable } from '../emulator/probes/recorder.js';
import { runSpice } from '../emulator/spice/run.js';
import { SignalDrive } from '../emulator/stimulus/signal-drive.js';
import { TableSignal } from '../emulator/stimulus/table-signal.js';
import { FrameDrive } from './frame-drive.js';

const quick = process.argv.includes('--quick');
/** Only the emulator-vs-ngspice table (the ideal-vs-digital one takes minutes at 784-500-10). */
const spiceOnly = process.argv.includes('--spice-only');
/** Only the ideal-vs-digital table (no ngspice). */
const idealOnly = process.argv.includes('--ideal-only');
/** Native ngspice on PATH (Debian: apt-get install ngspice); without it the native columns read n/a. */
const HAS_NATIVE = spawnSync('ngspice', ['--version'], { encoding: 'utf8' }).status === 0;
const REPS = quick ? 1 : 3;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function nrmse(a: TraceTable, b: TraceTable): number {
  let worst = 0;
  for (const c of b.names) {
    if (!c.startsWith('u:')) continue;
    const x = a.column(c);
    const y = b.column(c);
    let s = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < y.length; i++) {
      s += (x[i]! - y[i]!) ** 2;
      lo = Math.min(lo, y[i]!);
      hi = Math.max(hi, y[i]!);
    }
    worst = Math.max(worst, Math.sqrt(s / y.length) / (hi - lo));
  }
  return worst;
}

async function emulatorVsSpice(sizes: number[], T: number) {
  const g = layeredNetwork(sizes, { activation: 'logistic', seed: 3, beta: 0.3, init: { distribution: 'normal', std: 1 } }).build();
  const ir = compileCircuit(g, structuredClone(BUILTIN_PROFILES['opamp-board']!), { seed: 2 });
  const times = Float64Array.from({ length: T + 1 }, (_, k) => k);
  const nIn = sizes[0]!;
  const nOut = sizes[sizes.length - 1]!;
  const inputs = Array.from({ length: nIn }, (_, c) => Float64Array.from(times, (t) => 0.5 + 0.3 * Math.sin(t / (6 + c) + c)));
  const targets = Array.from({ length: nOut }, (_, c) => Float64Array.from(times, (t) => 0.4 + 0.3 * Math.cos(t / 9 + 2 * c)));
  const drive = new SignalDrive(new TableSignal(times, inputs, 'linear'), new TableSignal(times, targets, 'linear'));
  const emulate = (rtol: number) => {
    const sim = new AnalogSimulator(modelFromCircuit(ir), { init: 'equilibrium', rtol, atol: rtol * 1e-3 });
    const t0 = performance.now();
    const r = sim.run({ durationMs: T, drive, probes: parseProbes('u', g), sampleEveryMs: 0.1 });
    return { traces: r.traces, ms: performance.now() - t0, steps: r.summary.steps, solver: r.summary.solver };
  };
  const reference = emulate(1e-11).traces;
  const net = emitSpice(ir, { durationModelMs: T, sampleEveryModelMs: 0.1, inputs: { times, channels: inputs }, targets: { times, channels: targets }, reltol: 1e-5, init: 'equilibrium' });
  const spiceTimes: number[] = [];
  let spice!: Awaited<ReturnType<typeof runSpice>>;
  for (let r = 0; r < REPS; r++) {
    spice = await runSpice(net, { sampleEveryModelMs: 0.1, durationModelMs: T });
    spiceTimes.push(spice.wallMs);
  }
  const spiceErr = nrmse(spice.traces, reference);
  // native ngspice on the same netlist (its wall time includes starting the process and writing the raw file)
  const nativeTimes: number[] = [];
  let native: Awaited<ReturnType<typeof runSpice>> | null = null;
  for (let r = 0; r < REPS && HAS_NATIVE; r++) {
    native = await runSpice(net, { engine: 'native', sampleEveryModelMs: 0.1, durationModelMs: T });
    nativeTimes.push(native.wallMs);
  }
  // the loosest emulator tolerance that is at least as accurate as ngspice (against the same reference)
  let rtol = 1e-3;
  for (const r of [1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8]) {
    rtol = r;
    if (nrmse(emulate(r).traces, reference) <= spiceErr) break;
  }
  const runs = Array.from({ length: REPS }, () => emulate(rtol));
  const e = runs[0]!;
  return {
    net: sizes.join('-'),
    neurons: g.nNeurons,
    netlistLines: net.netlist.split('\n').length,
    spiceMs: median(spiceTimes),
    spicePoints: spice.points,
    spiceNrmse: spiceErr,
    nativeMs: native ? median(nativeTimes) : NaN,
    nativePoints: native?.points ?? 0,
    nativeNrmse: native ? nrmse(native.traces, reference) : NaN,
    gElements: net.netlist.split('\n').filter((l) => /^G[a-z]_\d+_\d+ /.test(l)).length,
    emuRtol: rtol,
    emuMs: median(runs.map((x) => x.ms)),
    emuSteps: e.steps,
    emuSolver: e.solver,
    emuNrmse: nrmse(e.traces, reference),
  };
}

/**
 * Emulator (ideal profile) vs the digital engine at dt = τ/100, per simulated second, MNIST-like frames.
 * Accuracy of both: the largest deviation of any output voltage from the digital engine at dt = τ/1000.
 */
function idealVsDigital(sizes: number[], T: number, activation: 'hard-sigmoid' | 'logistic', rtol: number) {
  const g = layeredNetwork(sizes, { activation, seed: 1, beta: 0.1, bias: true, init: { distribution: 'normal', std: 0.05, cutoff: 0.15 } }).build();
  const drive = new FrameDrive(sizes[0]!, sizes[sizes.length - 1]!, 20, 8, 1);
  const ir = compileCircuit(g, structuredClone(BUILTIN_PROFILES.ideal!));
  const probes = parseProbes('u:out', g);
  const reference = runDigital(new DigitalSimulator(g, { dtMs: 0.01, learn: false }), { durationMs: T, drive, probes, sampleEveryMs: 1 }).traces;
  const dev = (t: TraceTable) => {
    let m = 0;
    let scale = 0;
    for (const c of reference.names) {
      if (!c.startsWith('u:')) continue;
      const x = t.column(c);
      const y = reference.column(c);
      for (let i = 0; i < y.length; i++) {
        m = Math.max(m, Math.abs(x[i]! - y[i]!));
        scale = Math.max(scale, Math.abs(y[i]!));
      }
    }
    return m / scale;
  };
  const a: number[] = [];
  const plain: number[] = [];
  const d: number[] = [];
  let steps = 0;
  let errA = 0;
  let errD = 0;
  let plainVsAffine = 0;
  for (let r = 0; r < REPS; r++) {
    // the emulator as it runs (input products from their affine family), then with a pass over W_in at every evaluation
    const emulate = (inputProducts: 'affine' | 'recompute') => {
      const sim = new AnalogSimulator(modelFromCircuit(ir), { rtol, atol: rtol * 1e-3, inputProducts });
      const t0 = performance.now();
      const res = sim.run({ durationMs: T, drive, probes, sampleEveryMs: 1 });
      return { res, msPerS: (performance.now() - t0) / (T / 1000) };
    };
    const fast = emulate('affine');
    a.push(fast.msPerS);
    const slow = emulate('recompute');
    plain.push(slow.msPerS);
    const res = fast.res;
    steps = res.summary.steps;
    errA = dev(res.traces);
    plainVsAffine = Math.max(plainVsAffine, maxColumnDiff(res.traces, slow.res.traces));
    const t1 = performance.now();
    const dres = runDigital(new DigitalSimulator(g, { dtMs: 0.1, learn: false }), { durationMs: T, drive, probes, sampleEveryMs: 1 });
    d.push((performance.now() - t1) / (T / 1000));
    errD = dev(dres.traces);
  }
  return { net: sizes.join('-'), activation, rtol, synapses: g.projections.reduce((s, p) => s + p.rows * p.cols, 0), analogMsPerS: median(a), plainMsPerS: median(plain), digitalMsPerS: median(d), ratio: median(a) / median(d), plainRatio: median(plain) / median(d), analogSteps: steps, errA, errD, plainVsAffine };
}

/** The largest |a − b| over the columns of two tables of one run's probes. */
function maxColumnDiff(a: TraceTable, b: TraceTable): number {
  let m = 0;
  for (const c of b.names) {
    const x = a.column(c);
    const y = b.column(c);
    for (let i = 0; i < y.length; i++) m = Math.max(m, Math.abs(x[i]! - y[i]!));
  }
  return m;
}

const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}`;
const T1 = quick ? 60 : 200;
const spiceRows = [];
// 10, 40 and 80 neurons (hidden + output)
for (const sizes of idealOnly ? [] : quick ? [[4, 4, 2]] : [[4, 4, 2], [16, 32, 8], [32, 64, 16]]) {
  process.stderr.write(`emulator vs ngspice: ${sizes.join('-')}\n`);
  spiceRows.push(await emulatorVsSpice(sizes, T1));
}
const T2 = quick ? 100 : 500;
const idealRows = [];
for (const [sizes, act, rtol] of spiceOnly ? [] : [
  [[196, 100, 10], 'hard-sigmoid', 1e-4],
  [[784, 100, 10], 'hard-sigmoid', 1e-4],
  [[784, 500, 10], 'hard-sigmoid', 1e-4],
  [[784, 500, 10], 'logistic', 1e-6],
] as const) {
  process.stderr.write(`ideal emulator vs digital: ${sizes.join('-')} ${act}\n`);
  idealRows.push(idealVsDigital([...sizes], T2, act, rtol));
}
const md = [
  `Measured ${new Date().toISOString().slice(0, 10)} on ${machine}; medians of ${REPS} runs.`,
  '',
  ...(idealOnly ? [] : [
  `**Emulator vs ngspice** (op-amp board profile, ${T1} ms of model time, the same emitted netlist (subcircuits, one G element per synapse and path) in ngspice 45 compiled to WebAssembly and in the native ngspice binary; inputs and targets as piecewise-linear sources; accuracy = worst normalised RMSE of any membrane against the emulator at rtol 10⁻¹¹; the emulator runs at the loosest tolerance that is at least as accurate as ngspice (WebAssembly) at reltol 10⁻⁵; native ngspice's time includes starting the process and writing its raw file):`,
  '',
  '| network | neurons | netlist lines, G elements | ngspice (WASM) | native ngspice | ngspice NRMSE (WASM, native) | emulator | solver, rtol | emulator NRMSE | emulator faster than WASM | than native |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...spiceRows.map((r) => `| ${r.net} | ${r.neurons} | ${r.netlistLines}, ${r.gElements} | ${r.spiceMs.toFixed(0)} ms (${r.spicePoints} points) | ${Number.isFinite(r.nativeMs) ? `${r.nativeMs.toFixed(0)} ms (${r.nativePoints} points)` : 'n/a'} | ${r.spiceNrmse.toExponential(1)}, ${Number.isFinite(r.nativeNrmse) ? r.nativeNrmse.toExponential(1) : 'n/a'} | ${r.emuMs.toFixed(0)} ms (${r.emuSteps} steps) | ${r.emuSolver}, ${r.emuRtol} | ${r.emuNrmse.toExponential(1)} | ${(r.spiceMs / r.emuMs).toFixed(1)}× | ${Number.isFinite(r.nativeMs) ? `${(r.nativeMs / r.emuMs).toFixed(1)}×` : 'n/a'} |`),
  '',
  ]),
  ...(spiceOnly ? [] : [
  `**Ideal profile vs the digital engine at dt = τ/100** (no learning, 20 ms input frames with target steps, ${T2} ms; wall time per simulated second; deviation = largest |Δu| of an output from the digital engine at dt = τ/1000, relative to max |u|; the emulator with its input products from their affine family (the default) and with a pass over W_in at every evaluation (\`inputProducts: 'recompute'\`), in that order in each repetition, then the digital engine; "max |Δu| between them": the two emulator runs' largest difference):`,
  '',
  '| network | activation | synapses | emulator (DOPRI5) | its deviation | emulator, recompute | max \\|Δu\\| between them | digital, dt = 0.1 ms | its deviation | ratio | ratio with recompute | emulator steps |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...idealRows.map((r) => `| ${r.net} | ${r.activation} | ${r.synapses} | ${(r.analogMsPerS / 1000).toFixed(2)} s (rtol ${r.rtol}) | ${r.errA.toExponential(1)} | ${(r.plainMsPerS / 1000).toFixed(2)} s | ${r.plainVsAffine.toExponential(1)} | ${(r.digitalMsPerS / 1000).toFixed(2)} s | ${r.errD.toExponential(1)} | **${r.ratio.toFixed(2)}×** | ${r.plainRatio.toFixed(2)}× | ${r.analogSteps} |`),
  ]),
].join('\n');
process.stdout.write(md + '\n');
mkdirSync('out', { recursive: true });
writeFileSync('out/benchmarks-analog.md', md + '\n');
writeFileSync('out/benchmarks-analog.json', JSON.stringify({ machine, reps: REPS, spiceRows, idealRows }, null, 2));
