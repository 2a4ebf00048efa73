import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import type { CircuitIR } from '../../compiler/circuit/ir.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { nonzeroSynapses } from '../../compiler/spice/arrays.js';
import { emitSpice } from '../../compiler/spice/netlist.js';
import type { SpiceNetlist } from '../../compiler/spice/types.js';
import { layeredNetwork, network } from '../../compiler/spec/builder.js';
import { depressingSubckt, poolRecovery, poolSteadyState, transmitted, type DepressingParams } from '../../hardware-models/components/depressing-synapse.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';
import { modelFromCircuit } from '../../emulator/analog/model.js';
import { AnalogSimulator } from '../../emulator/analog/simulator.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { parseRawFile } from '../../emulator/spice/raw.js';
import { runSpice, type SpiceEngine } from '../../emulator/spice/run.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { TableSignal } from '../../emulator/stimulus/table-signal.js';
import { ensureBuilt, nla } from '../cli/run-nla.js';

/** Native ngspice on PATH (CI installs Debian's ngspice and must not skip). */
const NATIVE = spawnSync('ngspice', ['--version'], { encoding: 'utf8' }).status === 0;
if (!NATIVE && process.env.CI) throw new Error('CI: native ngspice not found on PATH (apt-get install ngspice)');
const ENGINES: SpiceEngine[] = NATIVE ? ['wasm', 'native'] : ['wasm'];

const net583 = () => layeredNetwork([5, 8, 3], { activation: 'logistic', seed: 3, beta: 0.2, init: { distribution: 'normal', std: 1 } }).build();
const microcircuit = () =>
  network('mc')
    .seed(4)
    .beta(0.2)
    .activation('logistic')
    .tauInMs(2)
    .init({ distribution: 'normal', std: 0.5 })
    .feedback({ mode: 'microcircuit', interneuronInit: { distribution: 'normal', std: 0.3 }, feedbackInit: { distribution: 'normal', std: 0.4 } })
    .input('in', 3)
    .hidden('h', 5)
    .interneurons('i', 2, 'h')
    .output('out', 2)
    .connect('in', 'h')
    .connect('h', 'out')
    .build();

const compile = (g: NlaGraph, profile: string) => compileCircuit(g, structuredClone(BUILTIN_PROFILES[profile]!), { seed: 2 });

/** A drive of smooth inputs and targets, sampled every 1 ms (linear between samples). */
function drive(nIn: number, nOut: number, T: number) {
  const times = Float64Array.from({ length: T + 1 }, (_, k) => k);
  const inputs = Array.from({ length: nIn }, (_, c) => Float64Array.from(times, (t) => 0.5 + 0.3 * Math.sin(t / (6 + c) + c)));
  const targets = Array.from({ length: nOut }, (_, c) => Float64Array.from(times, (t) => 0.4 + 0.3 * Math.cos(t / 9 + 2 * c)));
  return { times, inputs, targets, signal: new SignalDrive(new TableSignal(times, inputs, 'linear'), new TableSignal(times, targets, 'linear')) };
}

/** Lines of the netlist outside every `.subckt … .ends` block, and the blocks by name. */
function split(netlist: string): { top: string[]; subckts: Map<string, string[]>; defined: string[] } {
  const top: string[] = [];
  const subckts = new Map<string, string[]>();
  const defined: string[] = [];
  let cur: string[] | null = null;
  for (const line of netlist.split('\n')) {
    const m = /^\.subckt (\S+)/.exec(line);
    if (m) {
      defined.push(m[1]!);
      cur = [];
      subckts.set(m[1]!, cur);
    } else if (/^\.ends/.test(line)) cur = null;
    else if (cur) cur.push(line);
    else top.push(line);
  }
  return { top, subckts, defined };
}

describe('netlist structure: 5-8-3 on the op-amp board, microcircuit on the ideal profile', () => {
  it.each([
    ['5-8-3', () => compile(net583(), 'opamp-board'), ['membrane', 'rho_logistic', 'lead', 'lowpass']],
    ['microcircuit', () => compile(microcircuit(), 'ideal'), ['membrane', 'rho_logistic', 'rate_sense', 'lookahead', 'lowpass', 'interneuron']],
  ] as const)('%s: one .subckt per component kind and per array; one G element per nonzero synapse and path', (_, make, kinds) => {
    const ir: CircuitIR = make();
    const { netlist } = emitSpice(ir, { durationModelMs: 10, init: 'rest' });
    const { subckts, defined } = split(netlist);
    expect(new Set(defined).size).toBe(defined.length); // each defined once
    expect(defined.filter((d) => !d.startsWith('arr')).sort()).toEqual([...kinds].sort());
    expect(defined.filter((d) => d.startsWith('arr'))).toEqual(ir.arrays.map((_, k) => `arr${k}`));
    const needsM = ir.structure.feedback !== 'microcircuit';
    ir.arrays.forEach((a, k) => {
      const gs = subckts.get(`arr${k}`)!.filter((l) => l.startsWith('G'));
      // no wide expression: every element is a plain VCCS with a number
      for (const l of gs) expect(l).toMatch(/^G[a-z]_\d+_\d+ \S+ \S+ \S+ \S+ -?[0-9.e+-]+$/);
      const byPath = new Map<string, Set<string>>();
      for (const l of gs) {
        const [, path, r, c] = /^G([a-z])_(\d+)_(\d+) /.exec(l)!;
        const s = byPath.get(path!) ?? new Set<string>();
        s.add(`${r}_${c}`);
        byPath.set(path!, s);
      }
      const nonzero = new Set(a.conductanceS.flatMap((row, r) => row.flatMap((G, c) => (G !== 0 ? [`${r}_${c}`] : []))));
      expect(nonzero.size).toBe(nonzeroSynapses(a));
      // the paths each synapse drives: soma (and the input look-ahead), prediction where m is read, apical, interneuron
      const paths = a.role === 'forward' ? [...(a.pre.type === 'input' ? ['s', 'l'] : ['s']), ...(needsM ? ['p'] : [])] : a.role === 'pyr-to-int' || a.role === 'int-nudge' ? ['i'] : ['a'];
      expect([...byPath.keys()].sort(), a.realises).toEqual(paths.sort());
      for (const p of paths) expect(byPath.get(p), `${a.realises} path ${p}`).toEqual(nonzero);
      expect(gs.length).toBe(paths.length * nonzero.size);
    });
  });

  it('every instance and top-level element sits under a comment naming the graph element it realises; every .param is used and every name used is defined', () => {
    for (const ir of [compile(net583(), 'opamp-board'), compile(microcircuit(), 'subthreshold')]) {
      const d = drive(ir.inputs.length, ir.neurons.filter((n) => n.population === 'out').length, 5);
      const { netlist } = emitSpice(ir, { durationModelMs: 5, init: 'rest', inputs: { times: d.times, channels: d.inputs }, targets: { times: d.times, channels: d.targets } });
      const { top } = split(netlist);
      const names = [...ir.neurons, ...ir.inputs, ...ir.interneurons, ...ir.arrays].map((x) => x.realises);
      let comment = '';
      for (const line of top) {
        if (line.startsWith('*')) comment = line;
        if (!/^[A-Z]/i.test(line) || /^(Vref|Vbias) /.test(line)) continue;
        const who = /^\* (\S+?)(\[:\])?(\[\d+\])?: /.exec(comment);
        expect(who, `${line.slice(0, 40)} under '${comment}'`).not.toBeNull();
        expect(names, comment).toContain(`${who![1]}${who![3] ?? ''}`);
      }
      const params = [...netlist.matchAll(/^\.param (.*)$/gm)].flatMap((m) => [...m[1]!.matchAll(/(\w+)=/g)].map((x) => x[1]!));
      expect(params).toEqual(expect.arrayContaining(['tscale', 'vunit', 'erest', 'vlow', 'vhigh', 'cm', 'cstage', 'beta']));
      const body = netlist.split('\n').filter((l) => !l.startsWith('.param') && !l.startsWith('*'));
      const used = new Set(body.flatMap((l) => [...l.matchAll(/\{([^}]*)\}/g)].flatMap((m) => m[1]!.match(/(?<![\w.])[a-z_]\w*/gi) ?? [])));
      for (const p of params) expect(used.has(p), `.param ${p} is used`).toBe(true);
      // top-level brace expressions name only parameters
      for (const l of top.filter((x) => !x.startsWith('.param') && !x.startsWith('*'))) {
        for (const m of l.matchAll(/\{([^}]*)\}/g)) for (const id of m[1]!.match(/(?<![\w.])[a-z_]\w*/gi) ?? []) expect(params, `${id} in '${l.slice(0, 60)}'`).toContain(id);
      }
    }
  });
});

/** Max |a − b| over the common rows of two columns. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let w = 0;
  for (let k = 0; k < Math.min(a.length, b.length); k++) w = Math.max(w, Math.abs(a[k]! - b[k]!));
  return w;
}

describe('the emitted netlist runs in ngspice and agrees with the analog emulator', () => {
  const cases = [
    // bound: measured max |Δu| 4e-5 (5-8-3, op-amp board) and 3e-4 (microcircuit, ideal: the exact units' look-ahead loop at reltol 1e-6)
    { name: '5-8-3 on the op-amp board', g: net583, profile: 'opamp-board', nOut: 3, bound: 5e-4 },
    { name: 'microcircuit on the ideal profile', g: microcircuit, profile: 'ideal', nOut: 2, bound: 2e-3 },
    { name: 'microcircuit on the op-amp board', g: microcircuit, profile: 'opamp-board', nOut: 2, bound: 5e-4 },
  ];
  for (const c of cases) {
    it.each(ENGINES)(`${c.name} (%s): max |Δu| within the stated bound over 40 ms from rest, u range > 0.3`, async (engine) => {
      const g = c.g();
      const ir = compile(g, c.profile);
      const T = 40;
      const d = drive(ir.inputs.length, c.nOut, T);
      const net = emitSpice(ir, { durationModelMs: T, sampleEveryModelMs: 0.1, inputs: { times: d.times, channels: d.inputs }, targets: { times: d.times, channels: d.targets }, reltol: 1e-6, init: 'rest' });
      const spice = await runSpice(net, { engine, sampleEveryModelMs: 0.1, durationModelMs: T });
      const emu = new AnalogSimulator(modelFromCircuit(ir), { init: 'rest', rtol: 1e-8, atol: 1e-11 }).run({ durationMs: T, drive: d.signal, probes: parseProbes('u', g), sampleEveryMs: 0.1 });
      const names = spice.traces.names.filter((n) => n.startsWith('u:'));
      expect(names.length).toBe(ir.neurons.length);
      let worst = 0;
      let range = 0;
      for (const n of names) {
        const a = spice.traces.column(n);
        const b = emu.traces.column(n);
        worst = Math.max(worst, maxDiff(a, b));
        range = Math.max(range, Math.max(...b) - Math.min(...b));
      }
      console.log(`${c.name} (${engine}): max |Δu| ${worst.toExponential(2)} over u ranges up to ${range.toFixed(2)}`);
      expect(range).toBeGreaterThan(0.3);
      expect(worst).toBeLessThan(c.bound);
    });
  }
});

describe('depressing pool in SPICE against its closed form', () => {
  const p: DepressingParams = { recoveryS: 0.01, a: 1.5, d: 2 };
  const V = 0.5;
  const rate = 0.8;
  it.each(ENGINES)('a pool driven by a rate step (%s): x(t) = poolRecovery, output (1 + a x) r̄, within 1e-4', async (engine) => {
    const netlist = [
      'pool against its closed form',
      `.param vunit=${V} cstage=1e-9`,
      ...depressingSubckt(),
      `Vr r 0 PWL(0 0 1e-9 ${rate * V})`,
      `Xp r out pool trec=${p.recoveryS} a=${p.a} d=${p.d} cp={cstage}`,
      '.options reltol=1e-7 abstol=1e-15 vntol=1e-10',
      '.tran 1e-4 0.04 0 2e-5',
      '.end',
    ].join('\n');
    const net: SpiceNetlist = {
      netlist,
      outputs: [
        { node: 'xp.x', quantity: 'x', offsetV: 0, scaleV: V },
        { node: 'out', quantity: 'out', offsetV: 0, scaleV: V },
      ],
      timeScale: 1e-3,
      stopS: 0.04,
      neurons: [],
      inputs: [],
      interneurons: [],
    };
    const res = await runSpice(net, { engine, sampleEveryModelMs: 0.1, durationModelMs: 40 });
    const x = res.traces.column('x');
    const out = res.traces.column('out');
    const t = res.traces.time();
    expect(x[0]).toBeCloseTo(1, 9); // full pool at r̄ = 0
    let worst = 0;
    for (let k = 1; k < t.length; k++) {
      const tS = t[k]! * 1e-3 - 1e-9;
      const xs = poolRecovery(p, 1, rate, tS);
      worst = Math.max(worst, Math.abs(x[k]! - xs), Math.abs(out[k]! - transmitted(p, xs, rate)));
    }
    // the pool has gone most of the way to x* = 1/(1 + d r̄) = 0.385 (time constant τ_rec/(1 + d r̄) = 3.8 ms)
    expect(x[x.length - 1]).toBeCloseTo(poolSteadyState(p, rate), 3);
    expect(worst).toBeLessThan(1e-4);
  });

  it.each(ENGINES)('a microcircuit with depressing top-down carriers (%s): one pool per column between ρ and B, B^IP; every pool at 1/(1 + d r̄) once settled', async (engine) => {
    const g = microcircuit();
    const ir = compile(g, 'ideal');
    const col = (n: number, v: number) => Array.from({ length: n }, (_, i) => v * (1 + 0.1 * i));
    for (const a of ir.arrays) if (a.role === 'feedback' || a.role === 'int-nudge') a.carrier = { kind: 'depressing', recoveryS: col(a.cols, 0.01), a: col(a.cols, 1.5), d: col(a.cols, 2) };
    const T = 120;
    const times = [0, T];
    const inputs = [0.3, 0.6, 0.9].map((v) => [v, v]);
    const net = emitSpice(ir, { durationModelMs: T, sampleEveryModelMs: 1, inputs: { times, channels: inputs }, init: 'equilibrium' });
    const { subckts, top } = split(net.netlist);
    const pools = top.filter((l) => /^Xp_\d+_\d+ /.test(l));
    const depressing = ir.arrays.flatMap((a, k) => (a.carrier.kind === 'depressing' ? [{ a, k }] : []));
    expect(pools.length).toBe(depressing.reduce((s, { a }) => s + a.cols, 0));
    for (const { k } of depressing) for (const l of subckts.get(`arr${k}`)!.filter((x) => x.startsWith('G'))) expect(l).toMatch(/ dp\d+_\d+ 0 /);
    const probes: SpiceNetlist['outputs'] = [];
    for (const { a, k } of depressing) {
      for (let c = 0; c < a.cols; c++) {
        const pre = ir.neurons.findIndex((n) => n.realises === `${a.pre.population}[${c}]`);
        probes.push({ node: `xp_${k}_${c}.x`, quantity: `x:${k}:${c}`, offsetV: 0, scaleV: ir.voltsPerUnit }, { node: `rho${pre}`, quantity: `r:${k}:${c}`, offsetV: 0, scaleV: ir.voltsPerUnit });
      }
    }
    const res = await runSpice({ ...net, outputs: [...net.outputs, ...probes] }, { engine, sampleEveryModelMs: 1, durationModelMs: T });
    const last = res.traces.rows - 1;
    for (const { a, k } of depressing) {
      if (a.carrier.kind !== 'depressing') continue;
      for (let c = 0; c < a.cols; c++) {
        const pp = { recoveryS: a.carrier.recoveryS[c]!, a: a.carrier.a[c]!, d: a.carrier.d[c]! };
        const r = res.traces.column(`r:${k}:${c}`)[last]!;
        expect(r).toBeGreaterThan(0.01);
        expect(res.traces.column(`x:${k}:${c}`)[last]).toBeCloseTo(poolSteadyState(pp, r), 6);
      }
    }
  });

  it('a rate carrier: the top-down arrays read the presynaptic ρ node, the others are unchanged', () => {
    const ir = compile(microcircuit(), 'ideal');
    const wire = split(emitSpice(ir, { durationModelMs: 5, init: 'rest' }).netlist).subckts;
    for (const a of ir.arrays) if (a.role === 'feedback' || a.role === 'int-nudge') a.carrier = { kind: 'rate' };
    const rate = split(emitSpice(ir, { durationModelMs: 5, init: 'rest' }).netlist).subckts;
    ir.arrays.forEach((a, k) => {
      const w = wire.get(`arr${k}`)!.filter((l) => l.startsWith('G'));
      const r = rate.get(`arr${k}`)!.filter((l) => l.startsWith('G'));
      if (a.role === 'feedback' || a.role === 'int-nudge') {
        for (const l of w) expect(l).toMatch(/ u\d+ vref /);
        for (const l of r) expect(l).toMatch(/ rho\d+ 0 /);
        expect(r.map((l) => l.replace(/ rho(\d+) 0 /, ' u$1 vref '))).toEqual(w);
      } else expect(r).toEqual(w);
    });
  });
});

describe('nla compile --spice with input and target CSVs: a file ngspice -b runs unchanged', () => {
  it.skipIf(!NATIVE)('ngspice -b writes the raw file the header names; its traces, mapped back by the header, match nla simulate --engine analog', () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'nla-netlist-'));
    const spec = layeredSpec('n583', 3, [5, 8, 3]);
    writeFileSync(join(dir, 'net.json'), JSON.stringify(spec));
    // subthreshold circuits (0.1 V per unit around 0.3 V, current-sensing rate units, lead error units) without
    // their thermal noise, which the netlist does not carry
    writeFileSync(join(dir, 'quiet.json'), JSON.stringify({ format: 'nla-profile/1', extends: 'subthreshold', name: 'quiet-subthreshold', noise: null }));
    const csv = (names: string[], f: (t: number, c: number) => number) => ['t,' + names.join(','), ...Array.from({ length: 13 }, (_, k) => [k * 5, ...names.map((_, c) => f(k * 5, c).toFixed(4))].join(','))].join('\n') + '\n';
    writeFileSync(join(dir, 'in.csv'), csv(['in[0]', 'in[1]', 'in[2]', 'in[3]', 'in[4]'], (t, c) => 0.5 + 0.4 * Math.sin(t / (6 + c) + c)));
    writeFileSync(join(dir, 'tg.csv'), csv(['out[0]', 'out[1]', 'out[2]'], (t, c) => 0.4 + 0.3 * Math.cos(t / 9 + 2 * c)));
    // targets linear between rows: at a target step the analog emulator moves the voltages at once (f conserved)
    // where a unit is exact, which a lead-stage error unit in ngspice does not do (measured up to 0.045 here)
    const io = ['--profile', join(dir, 'quiet.json'), '--input', join(dir, 'in.csv'), '--target', join(dir, 'tg.csv'), '--target-interp', 'linear', '--duration', '60ms'];
    const c = nla(['compile', join(dir, 'net.json'), ...io, '--spice', join(dir, 'net.cir')]);
    expect(c.code, c.err).toBe(0);
    const cir = readFileSync(join(dir, 'net.cir'), 'utf8');
    expect(cir).toMatch(/^\.control$/m);
    expect(cir).toMatch(/^\.tran \S+ 0\.06 /m);
    const run = spawnSync('ngspice', ['-b', 'net.cir'], { cwd: dir, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout + run.stderr).not.toMatch(/no simulations run|error/i);
    const raw = parseRawFile(readFileSync(join(dir, 'net.raw')), 'net.raw');
    // the header's mapping, as a designer reads it: "*   v(u0): u:h[0] = (v - 0.3)/0.1"
    const mapping = [...cir.matchAll(/^\*\s+v\((\S+)\): (\S+) = \(v - (\S+)\)\/(\S+)$/gm)].map((m) => ({ vec: `v(${m[1]})`, name: m[2]!, offset: Number(m[3]), scale: Number(m[4]) }));
    expect(mapping.map((m) => m.name)).toEqual(expect.arrayContaining(['u:h[0]', 'u:out[2]', 'rbar:h[7]', 'e:out[0]']));
    const sim = nla(['simulate', join(dir, 'net.json'), '--engine', 'analog', ...io, '--probe', 'u,rbar', '--sample-every', '1ms', '--out', join(dir, 'a.csv'), '--quiet']);
    expect(sim.code, sim.err).toBe(0);
    const [head, ...rows] = readFileSync(join(dir, 'a.csv'), 'utf8').trim().split('\n');
    const cols = head!.split(',');
    const time = raw.columns.get('time')!;
    let worst = 0;
    let compared = 0;
    for (const m of mapping) {
      const j = cols.indexOf(m.name);
      if (j < 0) continue;
      const v = raw.columns.get(m.vec)!;
      for (const row of rows) {
        const vals = row.split(',').map(Number);
        const tS = vals[0]! * 1e-3;
        let k = 0;
        while (k < time.length - 2 && time[k + 1]! < tS) k++;
        const a = (tS - time[k]!) / (time[k + 1]! - time[k]!);
        const x = (v[k]! + a * (v[k + 1]! - v[k]!) - m.offset) / m.scale;
        worst = Math.max(worst, Math.abs(x - vals[j]!));
        compared++;
      }
    }
    console.log(`nla compile --spice → ngspice -b: max |Δ| against the emulator ${worst.toExponential(2)} over ${compared} values`);
    expect(compared).toBe(22 * rows.length);
    expect(rows.length).toBe(60);
    // measured 2.2e-4: h[4] sits on the lower rail (u = −3), which the netlist's clamp holds within 1/10⁴ of its drive
    expect(worst).toBeLessThan(1e-3);
  });

  it('user errors exit 2 and say what is wrong: drive files without --spice, --target without --input, a CSV without an input column', () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'nla-netlist-bad-'));
    const spec = layeredSpec();
    writeFileSync(join(dir, 'net.json'), JSON.stringify(spec));
    writeFileSync(join(dir, 'in.csv'), 't,in[0]\n0,0.5\n');
    writeFileSync(join(dir, 'tg.csv'), 't,out[0]\n0,0.5\n');
    const a = nla(['compile', join(dir, 'net.json'), '--input', join(dir, 'in.csv')]);
    expect(a.code).toBe(2);
    expect(a.err).toContain('add --spice <cir>');
    const b = nla(['compile', join(dir, 'net.json'), '--spice', join(dir, 'x.cir'), '--target', join(dir, 'tg.csv')]);
    expect(b.code).toBe(2);
    expect(b.err).toContain('--target needs --input');
    const c = nla(['compile', join(dir, 'net.json'), '--spice', join(dir, 'x.cir'), '--input', join(dir, 'in.csv')]);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/in\.csv.*in\[1\]/);
  });
});

/** A logistic layered spec in → h → out of the given sizes (τ 10 ms, τ_in 5 ms, β 0.1, weights N(0, 1)). */
function layeredSpec(name = 'small', seed = 1, [nIn, nH, nOut]: [number, number, number] = [2, 2, 1]) {
  const pop = (n: string, kind: string, size: number) => ({ name: n, kind, size });
  return {
    format: 'nla-network/1',
    name,
    seed,
    tauMs: 10,
    tauInMs: 5,
    beta: 0.1,
    activation: 'logistic',
    init: { distribution: 'normal', mean: 0, std: 1 },
    populations: [pop('in', 'input', nIn), pop('h', 'hidden', nH), pop('out', 'output', nOut)],
    projections: [{ from: 'in', to: 'h' }, { from: 'h', to: 'out' }],
  };
}
