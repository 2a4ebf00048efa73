import { describe, expect, it } from 'vitest';
import { compileProgram, type Clamp, type Instr, type Src } from '../../hardware-models/fixed-point/core-program.js';
import { CoreProgramMachine, type ElemTrace, type RowTrace } from '../../hardware-models/fixed-point/core-program-machine.js';
import { UP5K16 } from '../../hardware-models/fixed-point/format.js';
import { TABLE_KNOTS } from '../../hardware-models/fixed-point/image.js';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileTb, GATEWARE, hasIverilog, hasVerilator, runTb } from '../gateware/tools.js';
import { csv, teacherImage } from '../gateware/verilated-core.js';

// Stage 2: the element pipeline gateware/vcore/vcore_elem.v (UP5K16) under iverilog and Verilator against the
// program machine (core-program-machine.ts): every element of every E op the machine executes in a few frames of
// the example (with targets and learning) and in a saturating burst, and (up to 50,000 terms) the rows of its
// weight passes and Σx·y reductions, fed to the RTL one a cycle with raw operands and a control word; results and
// counted saturations must be the same. A constant times an unsliced operand (em = ηdt·m) runs as two mac terms
// and an epilogue. ACT and PLAS run as element sequences (vcore_elem.v's header): every neuron of every ACT (x =
// shr(u, 8) through the bypass; a table's knot and fraction formed from that x as the sequencer would, then three
// lerps T[k] + shr((T[k+1] − T[k])·f, 12)) and every weight of every PLAS (R·C as two mac terms, then right behind
// them the epilogue W + rs(sum, sh1 − e) clamped to int32: epi_fwd, no bubble).

type EI = Extract<Instr, { op: 'E' }>;
type MVI = Extract<Instr, { op: 'MV' }>;
const CLAMP: Record<Clamp, number> = { none: 0, U: 1, D: 2, S: 3, OP: 4, R28: 5 };
const U48 = (v: number) => (v < 0 ? v + 2 ** 48 : v);
const S48 = (h: string) => {
  const v = parseInt(h, 16);
  return v >= 2 ** 47 ? v - 2 ** 48 : v;
};

function control(ins: EI, e: ElemTrace): number | null {
  const x = ins.x;
  const y = ins.y;
  const one = x !== null && x.m === 'k' && e.k.mant === 1 && e.k.exp === 0;
  const vec = (s: Src | null) => (s && s.m !== 'k' ? s : null);
  if (x && x.m === 'k' && !one && y && y.m !== 'k' && !y.sl.clip) return null; // em = K·m: two mac terms (the caller)
  const xv = vec(x);
  const yv = vec(y);
  const p = x !== null && y !== null && e.mask;
  let c = 0;
  const bit = (b: boolean, at: number) => (c += b ? 2 ** at : 0);
  bit(ins.a !== null, 0);
  if (ins.aNeg) throw new Error('the unit has no negated A (the compiler never emits one)');
  bit(p, 2);
  bit(ins.pNeg, 3);
  bit(x !== null && x.m === 'k' && !one, 4);
  bit(one, 5);
  bit(xv?.shl === 8, 6);
  bit(!!xv?.sub, 7);
  bit(!!xv?.sl.clip, 8);
  if (xv && xv.sl.s !== 0 && xv.sl.s !== 4) throw new Error(`X slice ${xv.sl.s}: the unit slices X by 4 (sS) or not at all`);
  c += (xv?.sl.s ?? 0) * 2 ** 9;
  bit(yv?.shl === 8, 13);
  bit(!!yv?.sub, 14);
  bit(!!yv?.sl.clip, 15);
  c += (yv?.sl.s ?? 0) * 2 ** 16;
  // the product shift as the firmware would store it: 15 + sh − exp for a product, sh for the bypass
  const u = one ? ins.sh : 15 + ins.sh - (ins.useExp ? e.k.exp : 0);
  if (u < 0 || u > 47 || e.k.mant >= 2 ** 15) throw new Error(`shift ${u} / mantissa ${e.k.mant} out of the unit's range`);
  c += u * 2 ** 20;
  c += CLAMP[ins.clamp] * 2 ** 27;
  bit(ins.count, 30);
  return c;
}

interface Trace {
  f: Record<'a' | 'x' | 'xsub' | 'y' | 'ysub' | 'ctl' | 'k', number[]>;
  /** per issued element: the expected [out, inc], null where not compared (a MAC term inside a row), 'bubble' for no element */
  want: Array<[number, number] | null | 'bubble'>;
  rows: number;
  dots: number;
  epiRows: number;
  partialRows: number;
  skipped: number;
  tags: Set<number>;
  shifts: Map<string, number>;
  acts: number;
  knots: number;
  plas: number;
  plasSat: number;
}

/** Every element of the E ops the machine executes: 3 example frames with targets and learning, 8 saturating frames. */
function traceElements(): Trace {
  const img = teacherImage();
  const m = new CoreProgramMachine(compileProgram(img, UP5K16));
  const tr: Trace = { f: { a: [], x: [], xsub: [], y: [], ysub: [], ctl: [], k: [] }, want: [], rows: 0, dots: 0, epiRows: 0, partialRows: 0, skipped: 0, tags: new Set(), shifts: new Map(), acts: 0, knots: 0, plas: 0, plasSat: 0 };
  const { f, want } = tr;
  let macs = 0;
  let extra = 0; // ACT and PLAS slots (outside the E cap)
  const push = (a: number, x: number, y: number, ctl: number, w: [number, number] | null | 'bubble', k = 0, ysub = 0) => {
    f.a.push(U48(a));
    f.x.push(U48(x));
    f.xsub.push(0);
    f.y.push(U48(y));
    f.ysub.push(U48(ysub));
    f.ctl.push(ctl);
    f.k.push(k);
    want.push(w);
  };
  // weight passes: a row's terms as MAC elements (operands through the ports unsliced, u = 15: the product as is),
  // then a bubble and the epilogue element (the sum through the bypass shift, A, the clamp)
  const row = (e: MVI['epi'], r: RowTrace) => {
    if (macs >= 50_000) return;
    if (e?.aNeg) throw new Error('the unit has no negated A');
    const n = r.w.length;
    for (let j = 0; j < n; j++) {
      const first = j === 0;
      const ctl = (first && r.partial !== null ? 1 : 0) + (first ? 0 : 2) + 4 + 15 * 2 ** 20;
      push(first && r.partial !== null ? r.partial : 0, r.x[j]!, r.w[j]!, ctl, !e && j === n - 1 ? [r.out, 0] : null);
    }
    macs += n;
    if (e) {
      // every other row: the epilogue right behind the last term (epi_fwd, no bubble); else a bubble and epi
      const fwd = tr.rows % 2 === 1;
      if (!fwd) push(0, 0, 0, 2 ** 31, 'bubble');
      const ctl = (e.a ? 1 : 0) + 4 + (e.pNeg ? 8 : 0) + (fwd ? 2 ** 32 : 64) + e.sh * 2 ** 20 + CLAMP[e.clamp] * 2 ** 27 + (e.count ? 2 ** 30 : 0);
      push(r.a, 0, 0, ctl, [r.out, r.inc]);
    }
    tr.rows++;
    if (e) tr.epiRows++;
    if (r.partial !== null) tr.partialRows++;
  };
  m.onRow = (ins, r) => row(ins.epi, r);
  // Σ x·y reductions (R = Σ r̄², M = Σ m̂²): one row without epilogue
  m.onDot = (_, r) => {
    if (macs < 50_000) tr.dots++;
    row(null, r);
  };
  m.onElem = (ins, e) => {
    if (want.length - macs - extra >= 200_000) return;
    const c = control(ins, e);
    if (c === null) {
      // em = K·m, m unsliced (28 bits): K·m[14:0] (u = 15) + K·(m >>> 15)·2^15 (mac, u = 0), a bubble, then the
      // epilogue rs(sum, sh − exp) with A and the clamp
      const y = ins.y!;
      if (y.m === 'k' || y.shl || y.sub || y.sl.s !== 0 || ins.aNeg) throw new Error('em: unexpected operand form');
      const u = ins.sh - (ins.useExp ? e.k.exp : 0);
      if (u < 0 || u > 47) throw new Error(`em: shift ${u}`);
      push(0, 0, e.y.v, 4 + 16 + 128 + 15 * 2 ** 20, null, e.k.mant);
      push(0, 0, e.y.v, 2 + 4 + 16 + 2 ** 26, null, e.k.mant);
      push(0, 0, 0, 2 ** 31, 'bubble');
      const ctl = (ins.a ? 1 : 0) + (e.mask ? 4 : 0) + (ins.pNeg ? 8 : 0) + 64 + u * 2 ** 20 + CLAMP[ins.clamp] * 2 ** 27 + (ins.count ? 2 ** 30 : 0);
      push(e.a, 0, 0, ctl, [e.out, e.inc]);
      tr.skipped++;
      return;
    }
    tr.tags.add(c);
    const ps = ins.sh - (ins.useExp ? e.k.exp : 0);
    const key = `${ins.x && ins.x.m === 'k' && e.k.mant === 1 && e.k.exp === 0 ? 'byp' : 'prod'} ${ps}`;
    tr.shifts.set(key, (tr.shifts.get(key) ?? 0) + 1);
    f.a.push(U48(e.a));
    f.x.push(U48(ins.x && ins.x.m === 'k' ? 0 : e.x.v));
    f.xsub.push(U48(e.x.sub));
    f.y.push(U48(e.y.v));
    f.ysub.push(U48(e.y.sub));
    f.ctl.push(c);
    f.k.push(e.k.mant);
    want.push([e.out, e.inc]);
  };
  // ACT, per neuron: x = shr(u, 8) through the bypass (u = 8; clamp S: ρ of a linear neuron); linear: ρ' = ONE and
  // ρ'' = 0 as bypass / empty elements; table: the sequencer's knot k = (x + 2^19) >> 12 and fraction f = its low 12
  // bits from the RTL's x, then per table A = T[k], X = f, Y = T[k+1] − T[k] (pre-adder), u = 27, clamp none
  m.onAct = (ins, a) => {
    const n0 = want.length;
    if (ins.kind === 'clip') throw new Error('ACT clip: not built in vcore_elem (the UP5K16 example has none)');
    const lin = ins.kind === 'linear';
    push(0, 0, a.u, 4 + 32 + 8 * 2 ** 20 + (lin ? CLAMP.S : 0) * 2 ** 27, [lin ? a.rho : a.x, 0]);
    if (lin) {
      push(0, 0, a.drho, 4 + 32, [a.drho, 0]);
      push(0, 0, 0, 0, [a.curv, 0]);
    } else {
      const kn = a.knot!;
      // the sequencer's split of x (the value the element above returns)
      const rel = a.x + 2 ** 19;
      if (rel < 0 || rel > 2 ** 20) throw new Error(`ACT: x ${a.x} outside −2^19..2^19`);
      const k = rel >> 12;
      const fr = rel & 4095;
      if (k !== kn.k || fr !== kn.frac) throw new Error(`ACT: knot ${k}/${fr}, the machine's ${kn.k}/${kn.frac}`);
      const res = [a.rho, a.drho, a.curv];
      // the knot words as the sequencer reads them from the table memory (T[k + 1] clamped to the last knot)
      const T = m.prog.tables;
      [0, 1, 2].forEach((j) => {
        const b = ins.tb + j * TABLE_KNOTS;
        const [t0, t1] = [T[b + k]!, T[b + Math.min(k + 1, TABLE_KNOTS - 1)]!];
        if (t0 !== kn.t[j]![0] || t1 !== kn.t[j]![1]) throw new Error(`ACT: knot words of table ${j} differ from the machine's`);
        if (Math.abs(t1 - t0) >= 2 ** 15) throw new Error(`ACT: knot difference ${t1 - t0} wider than the Y port`);
        push(t0, fr, t1, 1 + 4 + 2 ** 14 + 27 * 2 ** 20, [res[j]!, 0], 0, t0);
      });
      tr.knots++;
    }
    tr.acts++;
    extra += want.length - n0;
  };
  // PLAS 'row', per weight: C on X, R (em, up to 23 bits) as two mac terms on Y (R[14:0] u = 15, R >>> 15 u = 0),
  // then right behind them the epilogue (epi_fwd: no bubble) A = W, u = sh1 − e, clamp 6 (int32)
  m.onPlas = (ins, p) => {
    if (ins.chain) throw new Error('PLAS chain: not in UP5K16');
    if (Math.abs(p.c) >= 2 ** 15 || Math.abs(p.r) >= 2 ** 30) throw new Error(`PLAS operands ${p.r} ${p.c} too wide`);
    const u = ins.sh1 - (ins.useExp1 ? p.k.exp : 0);
    if (u < 0 || u > 47) throw new Error(`PLAS: shift ${u}`);
    push(0, p.c, p.r, 4 + 128 + 15 * 2 ** 20, null);
    push(0, p.c, p.r, 2 + 4 + 2 ** 26, null);
    push(p.w0, 0, 0, 1 + 4 + u * 2 ** 20 + 6 * 2 ** 27 + 2 ** 32, [p.w, 0]);
    tr.plas++;
    if (p.w !== p.w0 + p.p) tr.plasSat++;
    extra += 3;
  };
  const x = csv('examples/teacher/input.csv');
  const t = csv('examples/teacher/target.csv');
  for (let k = 0; k < 3; k++) {
    m.setTargets(t[k]!);
    m.frame(x[k]!, true, 15);
  }
  // a burst at the rails with β at its largest: states, increments and operand slices saturate
  m.setParam(2, 2 ** 24 - 1);
  for (let k = 0; k < 8; k++) {
    m.setTargets(t[k]!.map((_, c) => ((k + c) % 3 ? 2 ** 19 - 1 : -(2 ** 19))));
    m.frame(x[k]!.map((_, c) => ((k + c) % 2 ? 2 ** 19 - 1 : -(2 ** 19))), true, 15);
  }
  // weights at the int32 rails (both signs, a few steps in): PLAS's int32 clamp
  for (let i = 0; i < m.prog.w0; i++) m.W[i] = i % 2 ? 2 ** 31 - 1 - (i % 5) * 1000 : -(2 ** 31) + (i % 5) * 1000;
  for (let k = 0; k < 2; k++) {
    m.setTargets(t[k]!.map((_, c) => ((k + c) % 2 ? 2 ** 19 - 1 : -(2 ** 19))));
    m.frame(x[k]!.map((_, c) => ((k + c) % 2 ? -(2 ** 19) : 2 ** 19 - 1)), true, 15);
  }
  return tr;
}

let traced: Trace | null = null;
const trace = (): Trace => (traced ??= traceElements());

/** Compares a simulator's output lines with the machine's elements; returns the counted saturations. */
function check(tr: Trace, out: string[], sim: string): number {
  const { f, want } = tr;
  expect(out).toHaveLength(want.filter((w) => w !== 'bubble').length);
  let sat = 0;
  let line = 0;
  let compared = 0;
  want.forEach((w, i) => {
    if (w === 'bubble') return;
    const l = out[line++]!;
    if (w === null) return;
    const [h, inc] = l.split(' ');
    const got = [S48(h!), Number(inc)];
    const what = `${sim} element ${i}: ctl ${f.ctl[i]!.toString(16)} a ${f.a[i]} x ${f.x[i]} y ${f.y[i]} ysub ${f.ysub[i]} k ${f.k[i]}`;
    if (got[0] !== w[0] || got[1] !== w[1]) expect(`${what}: ${got.join(' ')}`).toBe(`${what}: ${w.join(' ')}`);
    sat += w[1];
    compared++;
  });
  process.stderr.write(`NOTE: vcore_elem (${sim}): ${compared} results bit-exact (${tr.rows} weight-pass and Σx·y rows (${tr.dots} Σx·y): ${tr.epiRows} with the epilogue, ${tr.partialRows} from a partial sum; ${tr.tags.size} E control words, ${sat} counted saturations), ${tr.skipped} em elements (K·m as two mac terms), ${tr.acts} ACT neurons (${tr.knots} table lookups), ${tr.plas} PLAS weights (${tr.plasSat} at the int32 rails); ${want.length} issue slots\n`);
  return sat;
}

describe.skipIf(!hasIverilog)('vcore element pipeline (gateware/vcore/vcore_elem.v) against the program machine', () => {
  it('computes every element of the example (UP5K16: targets, learning, a saturating burst) bit for bit, saturation counts included', () => {
    const tr = trace();
    const { f, want } = tr;
    const vvp = compileTb('vcore_elem_tb', ['vcore/vcore_elem']);
    const sat = check(tr, runTb(vvp, f, {}, 48), 'iverilog');
    const bits = (xs: number[]) => Math.ceil(Math.log2(xs.reduce((m, v) => Math.max(m, Math.abs(v >= 2 ** 47 ? v - 2 ** 48 : v) + 1), 1))) + 1;
    process.stderr.write(`NOTE: vcore_elem operand widths (signed bits): a ${bits(f.a)}, x ${bits(f.x)}, y ${bits(f.y)}, ysub ${bits(f.ysub)}, out ${bits(want.flatMap((w) => (w && w !== 'bubble' ? [w[0]] : [])))}\n`);
    process.stderr.write(`NOTE: vcore_elem product shifts (path shift: elements): ${[...tr.shifts].map(([k, v]) => `${k}: ${v}`).join(', ')}\n`);
    expect(sat).toBeGreaterThan(0);
    expect(tr.epiRows).toBeGreaterThan(0);
    expect(tr.partialRows).toBeGreaterThan(0);
    expect(tr.rows).toBeGreaterThan(tr.epiRows + tr.dots);
    expect(tr.dots).toBeGreaterThan(0);
    expect(tr.skipped).toBeGreaterThan(0);
    expect(tr.knots).toBeGreaterThan(0);
    expect(tr.acts).toBeGreaterThan(tr.knots);
    expect(tr.plas).toBeGreaterThan(0);
    expect(tr.plasSat).toBeGreaterThan(0);
  }, 120_000);

  it.skipIf(!hasVerilator)('is lint-clean under verilator --lint-only -Wall', () => {
    const r = spawnSync('verilator', ['--lint-only', '-Wall', '--top-module', 'vcore_elem', join(GATEWARE, 'vcore', 'vcore_elem.v')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe.skipIf(!hasVerilator)('vcore element pipeline under Verilator (gateware/sim/vcore_elem_tb.cpp)', () => {
  it('computes the same elements bit for bit', () => {
    const tr = trace();
    const dir = mkdtempSync(join(tmpdir(), 'vcore-elem-'));
    try {
      const b = spawnSync(
        'verilator',
        ['--cc', '--exe', '--build', '-j', '2', '-O2', '-Wall', '--top-module', 'vcore_elem', '-Mdir', dir, join(GATEWARE, 'vcore', 'vcore_elem.v'), join(GATEWARE, 'sim', 'vcore_elem_tb.cpp'), '-o', 'vcore_elem_tb'],
        { encoding: 'utf8', maxBuffer: 1 << 26 },
      );
      if (b.status !== 0) throw new Error(`verilator build failed: ${b.stdout}${b.stderr}`);
      const { f } = tr;
      const hex = (v: number) => v.toString(16);
      const input = f.a.map((_, i) => [f.a[i]!, f.x[i]!, f.xsub[i]!, f.y[i]!, f.ysub[i]!, f.ctl[i]!, f.k[i]!].map(hex).join(' ')).join('\n') + '\n';
      const r = spawnSync(join(dir, 'vcore_elem_tb'), [], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
      expect(r.status).toBe(0);
      const lines = r.stdout.trim().split('\n');
      expect(lines[lines.length - 1]).toBe('END');
      expect(check(tr, lines.slice(0, -1), 'verilator')).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
