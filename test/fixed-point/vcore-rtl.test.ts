import { describe, expect, it } from 'vitest';
import { compileProgram, disassemble, type ActInstr, type CoreProgram, type Instr, type MVInstr } from '../../hardware-models/fixed-point/core-program.js';
import { CoreProgramMachine, cost, DEFAULT_MODEL, frameCycles } from '../../hardware-models/fixed-point/core-program-machine.js';
import { betaReaders, encodeProgram } from '../../hardware-models/fixed-point/core-program-encode.js';
import { toSignal, UP5K16 } from '../../hardware-models/fixed-point/format.js';
import { TABLE_KNOTS } from '../../hardware-models/fixed-point/image.js';
import { deeperNetworkImage } from '../gateware/fixtures.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATEWARE, hasVerilator } from '../gateware/tools.js';
import { checkRtlProgram, roleReads, VCORE_RTL_LIMITS } from '../../hardware-models/fixed-point/vcore-rtl-limits.js';
import { csv, teacherImage } from '../gateware/verilated-core.js';

// Stage 2: the vector core's sequencer gateware/vcore/vcore.v (+ vcore_banks.v, vcore_elem.v) under Verilator
// (gateware/sim/vcore_tb.cpp) against the program machine, UP5K16. The encoded program, the K registers, the loop
// counts, the weights, the activations' knot words (W 8192 + i: T[i] in bits 17:0, ΔT = T[i+1] − T[i] in 31:18, 0 at
// the last knot) and clip tops (W 16352 + k: K[k].mant) are loaded; every run (reset, frames) starts from the host's
// writes (inputs, targets) and the RTL runs the whole program itself: the control flow, the E ops, the weight passes
// (MV), the reductions (DOT), the activations (ACT: linear, clip, table) and the weight updates (PLAS, 'row' mode).
// Only PLAS's chain mode (no UP5K16 program has it) traps: the testbench compares the bank words and weights the
// machine changed since the last trap and the saturation counter, then writes the machine's state after the trapped
// instruction and resumes. At every HALT (every run: reset or frame) all words of all banks, all weights and the
// saturation counter are compared.

const D = 42;
/** The instructions the RTL traps on: PLAS in the chain mode. */
const trapped = (ins: Instr) => ins.op === 'PLAS' && ins.chain !== null;

/** W addresses of the knot words (8192 + image table index) and the clip tops (16352 + K index). */
const KNOT_BASE = 8192;
const TOP_BASE = 16352;

/**
 * The knot words of the tables the program's ACTs read, [W address, word]: bits 17:0 T[i] (signed 18 bits), bits
 * 31:18 ΔT = T[i+1] − T[i] (signed 14 bits; 0 at the last knot k = 256). A table that does not fit throws naming its
 * slot (tb / 771), j (0 ρ, 1 ρ', 2 ρ'') and k.
 */
function knotWords(prog: CoreProgram): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const bases = new Set(prog.code.flatMap((i) => (i.op === 'ACT' && i.kind === 'table' ? [i.tb] : [])));
  for (const tb of bases) {
    if (KNOT_BASE + tb + 3 * TABLE_KNOTS > TOP_BASE) throw new Error(`table slot ${tb / (3 * TABLE_KNOTS)} (tb ${tb}): its knot words pass W ${TOP_BASE} (the clip tops)`);
    for (let j = 0; j < 3; j++)
      for (let k = 0; k < TABLE_KNOTS; k++) {
        const i = tb + j * TABLE_KNOTS + k;
        const t = prog.tables[i]!;
        const dt = k < TABLE_KNOTS - 1 ? prog.tables[i + 1]! - t : 0;
        const where = `table slot ${tb / (3 * TABLE_KNOTS)} (tb ${tb}), j ${j}, k ${k}`;
        if (!Number.isInteger(t) || t < -(2 ** 17) || t >= 2 ** 17) throw new Error(`${where}: T = ${t} does not fit the knot word's signed 18 bits`);
        if (dt < -(2 ** 13) || dt >= 2 ** 13) throw new Error(`${where}: ΔT = ${dt} does not fit the knot word's signed 14 bits`);
        out.push([KNOT_BASE + i, (dt << 18) | (t & 0x3ffff)]);
      }
  }
  return out;
}

/** The clip tops the program's ACTs read, [W address, K[k].mant]; a top outside 0..2^20 − 1 (the RTL's) throws naming k. */
function clipTops(prog: CoreProgram): Array<[number, number]> {
  const ks = new Set(prog.code.flatMap((i) => (i.op === 'ACT' && i.kind === 'clip' ? [i.k] : [])));
  return [...ks].map((k) => {
    const top = prog.K[k]!.mant;
    if (k >= TOP_BASE - KNOT_BASE || k >= 32 || !Number.isInteger(top) || top < 0 || top >= 2 ** 20) throw new Error(`clip top K${k} = ${top}: outside 0..2^20 − 1`);
    return [TOP_BASE + k, top] as [number, number];
  });
}

/** What the RTL supports of the program, as this test builds it (vcore-rtl-limits.ts; throws naming every problem). */
function supported(prog: CoreProgram): void {
  const limits = { ...VCORE_RTL_LIMITS, banks: prog.banks.map((b) => ({ words: 256, bits: Math.min(D, b.bits) })), weightWords: 2 ** testWaw(prog) };
  const problems = checkRtlProgram(prog, limits);
  if (problems.length) throw new Error(`the RTL does not run this program: ${problems.join('; ')}`);
}

/** The weight address bits the test builds vcore with for a program. */
const testWaw = (prog: CoreProgram) => Math.max(1, Math.ceil(Math.log2(prog.w0)));

/** The K registers the E ops multiply by (the RTL's K file; ACT's clip tops are W words, PLAS 'row' uses only its factor's exponent, folded into u1). */
function eK(prog: CoreProgram): Set<number> {
  return new Set(prog.code.flatMap((i) => (i.op === 'E' && i.x?.m === 'k' ? [i.x.k] : [])));
}

/** The activations the machine ran in a script, by case (each RTL path the test claims to cover must occur). */
interface ActCover {
  /** table neurons, those at or past the last knot (k ≥ 256: the clamp), those below the first (k < 0) */
  table: number;
  tableLast: number;
  tableFirst: number;
  /** linear neurons, those whose x saturates (ρ = sat(x) ≠ x) */
  linear: number;
  linearSat: number;
  /** clip neurons below 0, in [0, top], above top */
  clipBelow: number;
  clipIn: number;
  clipAbove: number;
}

interface Script {
  lines: string[];
  cover: ActCover;
  /** per run: [frame, cycles of the RTL-run instructions (all but the trapped ones) under the model, the whole run under the model] */
  model: Array<[number, number, number]>;
}

function hex(words: Uint32Array, pc: number): string {
  return Array.from(words.subarray(4 * pc, 4 * pc + 4), (w) => w.toString(16)).join(' ');
}

/** The script: program, K, counts, and the runs the machine does (`drive` calls reset/frame/setParam on the machine). */
function script(prog: CoreProgram, drive: (m: CoreProgramMachine, frame: (f: number) => void, setParam: (id: number, v: number) => void) => void): Script {
  supported(prog);
  const lines: string[] = [];
  const model: Script['model'] = [];
  const words = encodeProgram(prog);
  for (let pc = 0; pc < prog.code.length; pc++) lines.push(`P ${pc} ${hex(words, pc)}`);
  const used = eK(prog);
  prog.K.forEach((k, i) => lines.push(`K ${i} ${used.has(i) ? k.mant : 0}`));
  lines.push(`Q 0 ${prog.stepsPerFrame}`, `Q 1 ${prog.iterations}`);
  const m = new CoreProgramMachine(prog);
  const cover: ActCover = { table: 0, tableLast: 0, tableFirst: 0, linear: 0, linearSat: 0, clipBelow: 0, clipIn: 0, clipAbove: 0 };
  m.onAct = (ins, a) => {
    if (ins.kind === 'table') {
      cover.table++;
      if (a.knot!.k >= TABLE_KNOTS - 1) cover.tableLast++;
      if (a.knot!.k < 0) cover.tableFirst++;
    } else if (ins.kind === 'linear') {
      cover.linear++;
      if (a.rho !== a.x) cover.linearSat++;
    } else if (a.x < 0) cover.clipBelow++;
    else if (a.x > a.top) cover.clipAbove++;
    else cover.clipIn++;
  };
  const wshadow = Float64Array.from(m.W.subarray(0, prog.w0));
  wshadow.forEach((w, i) => lines.push(`W ${i} ${w}`));
  for (const [a, w] of [...knotWords(prog), ...clipTops(prog)]) lines.push(`W ${a} ${w}`);
  const wdiff = (): string[] => {
    const out: string[] = [];
    for (let i = 0; i < prog.w0; i++)
      if (m.W[i] !== wshadow[i]) {
        out.push(`${i} ${m.W[i]}`);
        wshadow[i] = m.W[i]!;
      }
    return out;
  };
  const shadow = prog.banks.map((b) => new Float64Array(b.words).fill(NaN));
  let sat = NaN;
  let frameNo = -1;
  const val = (v: number, b: number) => {
    const bits = Math.min(D, prog.banks[b]!.bits);
    if (!Number.isInteger(v) || v >= 2 ** (bits - 1) || v < -(2 ** (bits - 1))) throw new Error(`bank ${b} value ${v} does not fit its ${bits} bits`);
    return v;
  };
  /** Words that differ from the shadow (all of them when `all`), the shadow updated. */
  const diff = (all = false): string[] => {
    const out: string[] = [];
    m.mem.forEach((mem, b) =>
      mem.forEach((v, w) => {
        if (all || v !== shadow[b]![w]) out.push(`${b} ${w} ${val(v, b)}`);
        shadow[b]![w] = v;
      }),
    );
    return out;
  };
  let inRun = false;
  let pending: { pc: number; checks: string[]; wchecks: string[]; sat: number } | null = null;
  const finishTrap = () => {
    if (!pending) return;
    const writes = diff();
    const ww = wdiff();
    lines.push(`T ${pending.pc} ${pending.checks.length} ${pending.wchecks.length} ${writes.length} ${ww.length} ${pending.sat}`, ...pending.checks, ...pending.wchecks, ...writes, ...ww, `${m.saturations}`);
    sat = m.saturations;
    pending = null;
  };
  m.onInstr = (pc) => {
    const ins = prog.code[pc]!;
    if (!inRun) {
      // the host's writes before the run (reset: the clear and the bias words; a frame: inputs and targets)
      for (const w of diff()) lines.push(`M ${w}`);
      for (const w of wdiff()) lines.push(`W ${w}`);
      if (m.saturations !== sat) lines.push(`S ${m.saturations}`);
      sat = m.saturations;
      lines.push(`R ${pc} ${(m as unknown as { learn: boolean }).learn ? 1 : 0} ${frameNo}`);
      inRun = true;
    }
    finishTrap();
    if (trapped(ins)) pending = { pc, checks: diff(), wchecks: wdiff(), sat: m.saturations };
    else if (ins.op === 'HALT') {
      const all = diff(true);
      wdiff();
      const wall = Array.from(m.W.subarray(0, prog.w0), (w, i) => `${i} ${w}`);
      lines.push(`H ${all.length} ${wall.length} ${m.saturations}`, ...all, ...wall);
      sat = m.saturations;
      inRun = false;
      let rtl = 0;
      prog.code.forEach((x, i) => {
        if (!trapped(x)) rtl += m.counts[i]! * cost(x, DEFAULT_MODEL);
      });
      // the HALT itself is counted by the machine after this hook: one cycle
      model.push([frameNo, rtl + cost(ins, DEFAULT_MODEL), frameCycles(prog, m.counts, DEFAULT_MODEL) + cost(ins, DEFAULT_MODEL)]);
    }
  };
  m.reset();
  drive(
    m,
    (f) => (frameNo = f),
    (id, v) => {
      m.setParam(id, v);
      if (id === 2) {
        const p2 = { ...prog, K: m.K };
        const w2 = encodeProgram(p2);
        for (const pc of betaReaders(prog)) lines.push(`P ${pc} ${hex(w2, pc)}`);
        lines.push(`K ${prog.kBeta} ${m.K[prog.kBeta]!.mant}`);
      } else if (id === 3) lines.push(`Q 1 ${v}`);
    },
  );
  return { lines, model, cover };
}

/** The banks' widths as vcore's BW parameter (8 bits a bank). */
function bankWidths(prog: CoreProgram): string {
  return `64'h${prog.banks.map((b) => Math.min(D, b.bits).toString(16).padStart(2, '0')).reverse().join('').padStart(16, '0')}`;
}

/**
 * The banks each operand role reads (vcore's RA, RX, RY, RS, RM: 8-bit masks), from roleReads: the RTL is built with
 * exactly these, so a read roleReads missed would read 0 on the RTL and the run would not be bit-exact.
 */
function roleBanks(prog: CoreProgram): Record<'RA' | 'RX' | 'RY' | 'RS' | 'RM', number> {
  const r = { RA: 0, RX: 0, RY: 0, RS: 0, RM: 0 };
  for (const ins of prog.code) for (const x of roleReads(ins)) r[`R${x.role.toUpperCase()}` as keyof typeof r] |= 1 << x.a.bank;
  return r;
}

function build(nb: number, waw: number, bw: string, roles: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'vcore-'));
  const v = (f: string) => join(GATEWARE, 'vcore', f);
  const b = spawnSync(
    'verilator',
    ['--cc', '--exe', '--build', '-j', '2', '-O2', '-Wall', '--top-module', 'vcore', '-DVCORE_CYCLES', `-GNB=${nb}`, `-GWAW=${waw}`, `-GBW=${bw}`, ...Object.entries(roles).map(([k, v]) => `-G${k}=8'h${v.toString(16)}`), '-Mdir', dir, v('vcore.v'), v('vcore_banks.v'), v('vcore_elem.v'), join(GATEWARE, 'spram.v'), join(GATEWARE, 'sim', 'vcore_tb.cpp'), '-o', 'vcore_tb'],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (b.status !== 0) throw new Error(`verilator build failed: ${b.stdout}${b.stderr}`);
  return dir;
}

/** Runs the script on the RTL; fails with frame, pc, instruction, bank, word, expected and got on a mismatch. Per run: [RTL cycles (traps excluded), traps, model cycles of the same instructions]. */
function run(prog: CoreProgram, s: Script, what: string): { cycles: Array<[number, number, number]> } {
  const dir = build(prog.banks.length, testWaw(prog), bankWidths(prog), roleBanks(prog));
  try {
    const r = spawnSync(join(dir, 'vcore_tb'), [], { input: s.lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 28 });
    const out = r.stdout.trim().split('\n');
    const dis = disassemble(prog);
    const names = Object.entries(prog.vectors);
    const name = (b: number, w: number) => {
      const v = names.find(([, x]) => x.bank === b && w >= x.word && w < x.word + x.len);
      return v ? `${v[0]}+${w - v[1].word}` : '?';
    };
    const errors = out.filter((l) => /^[XYVCZ]/.test(l)).map((l) => {
      const f = l.split(' ');
      if (f[0] === 'X') return `frame ${f[1]}, before pc ${f[2]} (${f[2] === '-1' ? 'HALT' : dis[Number(f[2])]!.trim()}): bank ${f[3]} word ${f[4]} (${name(Number(f[3]), Number(f[4]))}): expected ${f[5]}, got ${f[6]}`;
      if (f[0] === 'V') return `frame ${f[1]}, before pc ${f[2]} (${f[2] === '-1' ? 'HALT' : dis[Number(f[2])]!.trim()}): weight ${f[3]}: expected ${f[4]}, got ${f[5]}`;
      if (f[0] === 'Y') return `frame ${f[1]}, before pc ${f[2]}: saturations expected ${f[3]}, got ${f[4]}`;
      return l;
    });
    expect(errors.slice(0, 20), `${what}: RTL against the machine`).toEqual([]);
    expect(r.status, r.stderr).toBe(0);
    expect(out[out.length - 1]).toBe('END 0');
    const runs = out.filter((l) => l.startsWith('D ')).map((l) => l.split(' ').map(Number));
    expect(runs.length).toBe(s.model.length);
    return { cycles: runs.map((d, k) => [d[2]!, d[3]!, s.model[k]![1]] as [number, number, number]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The example with dt/τ = dt/τ_in ≈ 1 and weights ×16 (int32-saturated): u and Δ hit their rails. */
function hotImage(): BoardImage {
  const img = teacherImage();
  for (const p of img.populations) if (p.kind !== 'bias') p.decayQ24 = 2 ** 24 - 1;
  for (const p of img.projections) p.weights = p.weights.map((w) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, w * 16)));
  return img;
}

/**
 * u values that reach every case of ACT (x = shr(u, 8)): the rails ±2^27 (x = ±2^19: the first knot with f = 0, the last
 * knot's clamp), the rounding edges of shr(u, 8), the knot edges (x = 4096·m − 2^19 ± 1 around each knot m), clip tops
 * (x = top ± 1) and pseudo-random values. `round` shifts the list so every neuron meets every value.
 */
function sweepU(round: number, i: number, tops: number[]): number {
  const knot = (m: number, d: number) => (4096 * m - 2 ** 19 + d) * 256;
  const fixed = [2 ** 27 - 1, -(2 ** 27), 0, 127, 128, -128, -129, 2 ** 27 - 129, 2 ** 27 - 128, -(2 ** 27) + 127, -(2 ** 27) + 128];
  for (const t of tops) fixed.push(t * 256, t * 256 + 128, t * 256 - 129, -256);
  const v = (round * 7 + i) % (fixed.length + 40);
  if (v < fixed.length) return fixed[v]!;
  const m = (round * 37 + i * 11) % 257;
  const d = [-1, 0, 1, 2047, 2048][(round + i) % 5]!;
  const x = Math.max(-(2 ** 27), Math.min(2 ** 27 - 1, knot(m, d) + ((round * 131 + i * 17) % 256) - 128));
  return x;
}

/**
 * The program's reset entry (the clear of d_in and every ACT of the program, at the start of its code) with mini-programs
 * appended in place of the frame code, each [ACT of one neuron, E copying the word of ρ, ρ' or ρ''
 * that ACT just wrote into the next word, HALT]: the copy reads what ACT's last slots write, so it must wait for them
 * (the write-back hazard); and per kind with 8 neurons or more [E shifting u down by one word over e = min(10, n − 1)
 * words (u[i] = u[i + 1]: long enough for ACT to be prefetched behind it), ACT of neuron e − 1, HALT]: ACT reads
 * the word the E writes last, so it must wait for it (its read hazard). Returns the program and the mini-programs'
 * entry pcs with the ACT each runs (the u words the sweep writes: act.u + 0 and + 1). Also, for one weight pass with an
 * epilogue A, [E copying 10 words of its x into the 10 words ending at its epilogue A, the pass with rows of 2 terms,
 * HALT] (mvRuns: the entry pcs): the pass reads its epilogue A two slots after it issues, so it must wait for the E's
 * last write (the epilogue A's read hazard; its slot 0 reads only x, which the E does not write, and W).
 */
function withHazardRuns(prog: CoreProgram): { prog: CoreProgram; runs: Array<{ pc: number; act: ActInstr }>; mvRuns: number[] } {
  if (prog.entry.reset !== 0 || prog.entry.frame <= 0) throw new Error(`reset entry ${prog.entry.reset}, frame entry ${prog.entry.frame}`);
  const code = prog.code.slice(0, prog.entry.frame);
  const runs: Array<{ pc: number; act: ActInstr }> = [];
  const kinds = new Map<string, ActInstr>();
  for (const ins of prog.code) if (ins.op === 'ACT' && ins.n >= 2 && !kinds.has(ins.kind)) kinds.set(ins.kind, ins);
  for (const act of kinds.values())
    for (const src of [act.rho, act.drho, act.curv]) {
      runs.push({ pc: code.length, act });
      code.push({ ...act, n: 1 });
      code.push({ op: 'E', n: 1, dst: { bank: src.bank, word: src.word + 1 }, clamp: 'none', count: false, a: src, aNeg: false, x: null, y: null, sh: 0, useExp: false, pNeg: false, mask: null });
      code.push({ op: 'HALT' });
    }
  const widest = new Map<string, ActInstr>();
  for (const ins of prog.code) if (ins.op === 'ACT' && ins.n >= 8 && !(ins.n <= (widest.get(ins.kind)?.n ?? 0))) widest.set(ins.kind, ins);
  for (const act of widest.values()) {
    const e = Math.min(10, act.n - 1);
    const at = (a: { bank: number; word: number }, i: number) => ({ bank: a.bank, word: a.word + i });
    runs.push({ pc: code.length, act: { ...act, u: at(act.u, e - 1), rho: at(act.rho, e - 1), drho: at(act.drho, e - 1), curv: at(act.curv, e - 1) } });
    code.push({ op: 'E', n: e, dst: act.u, clamp: 'none', count: false, a: at(act.u, 1), aNeg: false, x: null, y: null, sh: 0, useExp: false, pNeg: false, mask: null });
    code.push({ ...runs.at(-1)!.act, n: 1 });
    code.push({ op: 'HALT' });
  }
  const mvRuns: number[] = [];
  const mv = prog.code.find(
    (i): i is MVInstr =>
      i.op === 'MV' && !!i.epi?.a && i.epi.a.word >= 9 && i.x.bank !== i.epi.a.bank && i.init && i.x.word + 10 <= prog.banks[i.x.bank]!.words,
  );
  if (mv) {
    const a = mv.epi!.a!;
    mvRuns.push(code.length);
    code.push({ op: 'E', n: 10, dst: { bank: a.bank, word: a.word - 9 }, clamp: 'none', count: false, a: mv.x, aNeg: false, x: null, y: null, sh: 0, useExp: false, pNeg: false, mask: null });
    code.push({ ...mv, ...(mv.t ? { rows: 2 } : { cols: 2 }) });
    code.push({ op: 'HALT' });
  }
  return { prog: { ...prog, code }, runs, mvRuns };
}

const rails = (xs: number[], k: number, mod: number) => xs.map((_, c) => ((k + c) % mod ? 2 ** 19 - 1 : -(2 ** 19)));

describe.skipIf(!hasVerilator)('vcore sequencer (gateware/vcore/vcore.v) against the program machine (UP5K16)', () => {
  it('runs the encoded example: reset, 20 learning frames with targets (SET_PARAM ITERATIONS, RESET with restore on the way), 5 inference frames, 8 saturating frames (β at its largest), bank for bank', () => {
    const prog = compileProgram(teacherImage(), UP5K16);
    const x = csv('examples/teacher/input.csv');
    const t = csv('examples/teacher/target.csv');
    let sat = 0;
    const s = script(prog, (m, frame, setParam) => {
      for (let k = 0; k < 25; k++) {
        frame(k);
        if (k === 12) setParam(3, 2); // SET_PARAM ITERATIONS: the loop register
        if (k === 16) {
          // RESET with restore_weights: the banks cleared, the bias words, W ← W0 (host writes), the reset entry
          m.reset();
          m.reloadWeights();
          setParam(3, prog.iterations);
        }
        if (k % 5 === 0) m.setTargets(t[k]!);
        m.frame(x[k]!, k < 20);
      }
      setParam(2, 2 ** 24 - 1);
      for (let k = 0; k < 8; k++) {
        frame(25 + k);
        m.setTargets(rails(t[k]!, k, 3));
        m.frame(rails(x[k]!, k, 2), true);
      }
      sat = m.saturations;
    });
    const { cycles } = run(prog, s, 'example');
    expect(sat).toBeGreaterThan(0);
    expect(cycles.filter((c) => c[1] !== 0), 'runs with traps').toEqual([]);
    expect(s.cover.table).toBeGreaterThan(0);
    expect(s.cover.linear).toBeGreaterThan(0);
    // runs: 0 reset, 1..17 frames 0..16 (frame 16 after the second reset), 18 the reset, ...: frame 2 learns with
    // 4 iterations, frame 22 (run 24) is an inference frame with 4
    const learnRun = cycles[3]!;
    const inferRun = cycles[24]!;
    process.stderr.write(
      `NOTE: vcore (example, UP5K16): banks ${prog.banks.map((b) => `${b.words}x${Math.min(D, b.bits)}`).join(' ')} (BW ${bankWidths(prog)}; role banks ${Object.entries(roleBanks(prog)).map(([k, v]) => `${k} 8'h${v.toString(16)}`).join(' ')}), W ${prog.w0} words; ${cycles.length} runs bit-exact (${sat} saturations); RTL cycles per frame (the whole frame, no traps): learning ${learnRun[0]}, inference ${inferRun[0]}; the cost model's whole frame (fill + n, MV fill + rows·cols, PLAS fill + 2·rows·cols, ACT fill + n, table fill + 2n): ${s.model[3]![2]} / ${s.model[24]![2]}\n`,
    );
  }, 600_000);

  it('runs the hot image (dt = τ, weights ×16) in a saturating burst bit for bit (u and Δ at their rails)', () => {
    const prog = compileProgram(hotImage(), UP5K16);
    const x = csv('examples/teacher/input.csv');
    const t = csv('examples/teacher/target.csv');
    let sat = 0;
    const s = script(prog, (m, frame, setParam) => {
      setParam(2, 2 ** 24 - 1);
      for (let k = 0; k < 8; k++) {
        frame(k);
        m.setTargets(rails(t[k]!, k, 3));
        m.frame(rails(x[k]!, k, 2), true);
      }
      sat = m.saturations;
    });
    run(prog, s, 'hot');
    expect(sat).toBeGreaterThan(1000);
    // u at its rail: x = 2^19 reaches the last knot (the clamp); the linear outputs' ρ never saturates here (the ACT sweep below does that)
    expect(s.cover.tableLast).toBeGreaterThan(0);
    process.stderr.write(`NOTE: vcore (hot image): 8 frames bit-exact, ${sat} saturations; activations ${JSON.stringify(s.cover)}\n`);
  }, 600_000);

  it('runs the deeper network (logistic and tanh tables, chained and skip projections), the 64-neuron clip network and a clipped ReLU (top 2.5, weights ×8), learning with targets', () => {
    const relu = compileBoardImage(layeredNetwork([4, 8, 3], { activation: { name: 'clipped-relu', max: 2.5 }, seed: 7 }).build(), { dtMs: 0.1, frameMs: 0.5 }).image;
    for (const p of relu.projections) p.weights = p.weights.map((w) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, w * 8)));
    const nets: Array<[string, BoardImage, (c: ActCover) => void]> = [
      ['deeper', deeperNetworkImage(), (c) => expect(c.table).toBeGreaterThan(0)],
      ['64-neuron clip', compileBoardImage(layeredNetwork([6, 40, 18, 6], { activation: 'hard-sigmoid', seed: 5 }).build(), { dtMs: 0.1, frameMs: 0.5 }).image, (c) => expect(c.clipBelow * c.clipIn).toBeGreaterThan(0)],
      ['clipped ReLU 2.5', relu, (c) => expect(c.clipBelow * c.clipIn).toBeGreaterThan(0)],
    ];
    for (const [name, img, covered] of nets) {
      const prog = compileProgram(img, UP5K16);
      const nIn = img.nInputs - img.populations.filter((p) => p.kind === 'bias').reduce((a, p) => a + p.size, 0);
      const s = script(prog, (m, frame) => {
        for (let k = 0; k < 12; k++) {
          frame(k);
          if (k % 4 === 0) m.setTargets(img.outputs.map((_, c) => toSignal(0.3 + 0.25 * Math.sin(k / 11 + c))));
          m.frame(
            Array.from({ length: nIn }, (_, c) => toSignal(0.5 + 0.45 * Math.sin(k / 9 + c))),
            k >= 2,
          );
        }
      });
      const { cycles } = run(prog, s, name);
      expect(cycles.filter((c) => c[1] !== 0), `${name}: runs with traps`).toEqual([]);
      covered(s.cover);
      process.stderr.write(`NOTE: vcore (${name}): ${cycles.length} runs bit-exact, ${prog.banks.length} banks, ${prog.code.length} instructions; learning frame ${cycles.at(-1)![0]} RTL cycles (the cost model's whole frame ${s.model.at(-1)![2]}); activations ${JSON.stringify(s.cover)}\n`);
    }
  }, 600_000);

  it('runs every activation kind over its whole input range (u swept to the rails, knot, rounding and top edges) and an instruction right behind ACT reading its last writes (the hazard)', () => {
    const relu = compileBoardImage(layeredNetwork([4, 8, 3], { activation: { name: 'clipped-relu', max: 2.5 }, seed: 7 }).build(), { dtMs: 0.1, frameMs: 0.5 }).image;
    const nets: Array<[string, BoardImage]> = [
      ['example (logistic table, linear)', teacherImage()],
      ['deeper (tanh table)', deeperNetworkImage()],
      ['64-neuron clip (top 1)', compileBoardImage(layeredNetwork([6, 40, 18, 6], { activation: 'hard-sigmoid', seed: 5 }).build(), { dtMs: 0.1, frameMs: 0.5 }).image],
      ['clipped ReLU (top 2.5)', relu],
    ];
    for (const [name, img] of nets) {
      const { prog, runs, mvRuns } = withHazardRuns(compileProgram(img, UP5K16));
      const acts = prog.code.filter((i): i is ActInstr => i.op === 'ACT');
      const tops = [...new Set(acts.filter((a) => a.kind === 'clip').map((a) => prog.K[a.k]!.mant))];
      const s = script(prog, (m, frame) => {
        for (let r = 0; r < 12; r++) {
          frame(r);
          for (const a of acts) for (let i = 0; i < a.n; i++) m.mem[a.u.bank]![a.u.word + i] = sweepU(r, i, tops);
          m.runFrom(prog.entry.reset, false);
          runs.forEach(({ pc, act }, h) => {
            m.mem[act.u.bank]![act.u.word] = sweepU(r + 3, h, tops);
            m.mem[act.u.bank]![act.u.word + 1] = sweepU(r + 5, h, tops);
            m.runFrom(pc, false);
          });
          for (const pc of mvRuns) m.runFrom(pc, false);
        }
      });
      run(prog, s, `${name} sweep`);
      const c = s.cover;
      if (acts.some((a) => a.kind === 'table')) expect([c.tableLast, c.table - c.tableLast].every((v) => v > 0), `${name}: table cases ${JSON.stringify(c)}`).toBe(true);
      if (acts.some((a) => a.kind === 'linear')) expect(c.linearSat * (c.linear - c.linearSat), `${name}: linear cases`).toBeGreaterThan(0);
      if (acts.some((a) => a.kind === 'clip')) expect(c.clipBelow * c.clipIn * c.clipAbove, `${name}: clip cases`).toBeGreaterThan(0);
      process.stderr.write(`NOTE: vcore ACT sweep (${name}): ${s.model.length} runs bit-exact (${runs.length} hazard runs, ${mvRuns.length} epilogue-A hazard run); activations ${JSON.stringify(c)}\n`);
    }
  }, 600_000);

  it('refuses a table that does not fit the knot word (depression-matched: T above signed 18 bits), naming slot, j and k', () => {
    const img = compileBoardImage(layeredNetwork([3, 5, 2], { activation: 'depression-matched', seed: 3 }).build(), { dtMs: 0.1, frameMs: 0.5 }).image;
    const prog = compileProgram(img, UP5K16);
    expect(() => script(prog, (m) => m.reset())).toThrow(/^table slot 0 \(tb 0\), j 0, k \d+: T = \d+ does not fit the knot word's signed 18 bits$/);
  });

  it('is lint-clean under verilator --lint-only -Wall', () => {
    const v = (f: string) => join(GATEWARE, 'vcore', f);
    const r = spawnSync('verilator', ['--lint-only', '-Wall', '--top-module', 'vcore', v('vcore.v'), v('vcore_banks.v'), v('vcore_elem.v'), join(GATEWARE, 'spram.v')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
