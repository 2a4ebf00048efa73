import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FixedPointCore, NO_TARGET_Q } from '../../hardware-models/fixed-point/core.js';
import { compileProgram, type CoreProgram, type Instr } from '../../hardware-models/fixed-point/core-program.js';
import { CoreProgramMachine } from '../../hardware-models/fixed-point/core-program-machine.js';
import { toSignal, UP5K16, WIDE, type NumberFormat } from '../../hardware-models/fixed-point/format.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { decodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { deeperNetworkImage } from '../gateware/fixtures.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { csv, teacherImage } from '../gateware/verilated-core.js';

// The vector-engine program of the fixed-point core (core-program.ts, compiled once per image) executed
// element by element on explicit memories (core-program-machine.ts) against FixedPointCore (core.ts):
// every probe value, the saturation count, the frame count and the weight registers, bit for bit.

const ALL_PROBES = 15;
const FORMATS: NumberFormat[] = [WIDE, UP5K16];

/** The reference and the machine side by side; `check` compares everything observable. */
function pair(img: BoardImage, fmt: NumberFormat, prog: CoreProgram = compileProgram(img, fmt)) {
  const core = new FixedPointCore(img, fmt);
  const m = new CoreProgramMachine(prog);
  const check = (what: string) => {
    expect(m.saturations, `${what}: saturations`).toBe(core.saturations);
    expect(m.frames, `${what}: frames`).toBe(core.frames);
    core.weights.forEach((w, k) => expect(Array.from(m.weights(k)), `${what}: weights of projection ${k}`).toEqual(Array.from(w)));
  };
  const frame = (x: number[], learn: boolean, probes = ALL_PROBES, what = '') => {
    const a = Array.from(core.frame(x, learn, probes));
    const b = Array.from(m.frame(x, learn, probes));
    expect(b, `${what}: outputs`).toEqual(a);
    expect(m.saturations, `${what}: saturations`).toBe(core.saturations);
  };
  return { core, m, check, frame };
}

/** The RTL tests' long run (nla-core.test.ts): targets every 5th frame, a target gone for 100 frames, SET_PARAM, RESET with and without restore. */
function longRun(fmt: NumberFormat, frames: number, prog?: CoreProgram): { saturations: number } {
  const img = teacherImage();
  const { core, m, check, frame } = pair(img, fmt, prog);
  const inputs = csv('examples/teacher/input.csv');
  const targets = csv('examples/teacher/target.csv');
  for (let k = 0; k < frames; k++) {
    if (k === 700) {
      core.image.betaQ16 = img.betaQ16 * 3;
      m.setParam(2, core.image.betaQ16);
    }
    if (k === 900) {
      core.image.iterations = 2;
      m.setParam(3, 2);
    }
    if (k === 1200 || k === 1600) {
      check(`${fmt.name} before reset at ${k}`);
      core.reset();
      m.reset();
      if (k === 1600) {
        core.reloadWeights();
        m.reloadWeights();
      }
      check(`${fmt.name} after reset at ${k}`);
    }
    if (k % 5 === 0) {
      const t = targets[k % targets.length]!.map((v, c) => (c === 1 && k >= 300 && k < 400 ? NO_TARGET_Q : v));
      core.setTargets(t);
      m.setTargets(t);
    }
    const learn = k < 1400 || k >= 1500;
    frame(inputs[k % inputs.length]!, learn, ALL_PROBES, `${fmt.name} frame ${k}`);
    if (k % 250 === 0) check(`${fmt.name} frame ${k}`);
  }
  check(`${fmt.name} end`);
  return { saturations: core.saturations };
}

/** Inputs and targets at the rails, β at its largest, learning: states, increments and operands saturate. */
function burst(fmt: NumberFormat, prog?: CoreProgram, p = pair(teacherImage(), fmt, prog)): void {
  runBurst(fmt, p);
  // the same on a hot image: dt = τ everywhere and weights ×16 (saturating), so that u and Δ hit their rails
  const hot = compileProgram(hotImage(), fmt);
  const q = pair(hotImage(), fmt, prog ? { ...hot, code: prog.code } : hot);
  runBurst(fmt, q);
  q.check(`${fmt.name} hot burst`);
  expect(q.core.saturations).toBeGreaterThan(1000);
}

/** The example with dt/τ = dt/τ_in ≈ 1 and weights ×16 (int32-saturated). */
function hotImage(): BoardImage {
  const img = teacherImage();
  for (const p of img.populations) if (p.kind !== 'bias') p.decayQ24 = 2 ** 24 - 1;
  for (const p of img.projections) p.weights = p.weights.map((w) => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, w * 16)));
  return img;
}

function runBurst(fmt: NumberFormat, p: ReturnType<typeof pair>): void {
  const { core, m, frame } = p;
  const x = csv('examples/teacher/input.csv');
  const t = csv('examples/teacher/target.csv');
  core.image.betaQ16 = 2 ** 24 - 1;
  m.setParam(2, core.image.betaQ16);
  for (let k = 0; k < 40; k++) {
    const big = x[k]!.map((_, c) => ((k + c) % 2 ? 2 ** 19 - 1 : -(2 ** 19)));
    const tt = t[k]!.map((_, c) => ((k + c) % 3 ? 2 ** 19 - 1 : -(2 ** 19)));
    core.setTargets(tt);
    m.setTargets(tt);
    frame(big, true, ALL_PROBES, `${fmt.name} burst ${k}`);
  }
}

interface Vectors {
  cases: Array<{ name: string; image: { hex: string }; probes: number; frames: Array<{ targets?: number[]; inputs: number[]; learn: boolean; outputs: number[]; state: { u: number[]; delta: number[]; rbarIn: number[]; weights: number[][]; saturations: number; frames: number } }> }>;
}

describe('the core as a vector program (core-program.ts) is bit-exact with FixedPointCore', () => {
  for (const fmt of FORMATS) {
    it(`${fmt.name}: 2,000 frames of the example with learning, targets, SET_PARAM BETA/ITERATIONS, reset with and without restore`, () => {
      longRun(fmt, 2000);
    });

    it(`${fmt.name}: the deeper network (three table populations, chained and skip projections), learning and targets`, () => {
      const img = deeperNetworkImage();
      const { check, frame, core, m } = pair(img, fmt);
      for (let k = 0; k < 300; k++) {
        if (k % 10 === 0) {
          const t = [0, 1].map((c) => toSignal(0.4 * Math.sin(k / 37 + c)));
          core.setTargets(t);
          m.setTargets(t);
        }
        const x = [0, 1, 2, 3].map((c) => toSignal(0.5 + 0.45 * Math.sin(k / 13 + 2 * c)));
        frame(x, k >= 50, ALL_PROBES, `${fmt.name} deeper frame ${k}`);
      }
      check(`${fmt.name} deeper end`);
    });

    it(`${fmt.name}: a 64-neuron network at capacity with clip activations (hard sigmoid), learning and targets`, () => {
      const img = compileBoardImage(layeredNetwork([6, 40, 18, 6], { activation: 'hard-sigmoid', seed: 5 }).build(), { dtMs: 0.1, frameMs: 0.5 }).image;
      expect(img.nNeurons).toBe(64);
      expect(img.populations.some((p) => p.activation.kind === 'clip')).toBe(true);
      const { check, frame, core, m } = pair(img, fmt);
      for (let k = 0; k < 60; k++) {
        if (k % 7 === 0) {
          const t = img.outputs.map((_, c) => toSignal(0.3 + 0.25 * Math.sin(k / 11 + c)));
          core.setTargets(t);
          m.setTargets(t);
        }
        const x = Array.from({ length: 6 }, (_, c) => toSignal(0.5 + 0.45 * Math.sin(k / 9 + c)));
        frame(x, k >= 10, ALL_PROBES, `${fmt.name} 64-neuron frame ${k}`);
      }
      check(`${fmt.name} 64-neuron end`);
    });

    it(`${fmt.name}: every probe mask, and a saturating burst (counts compared)`, () => {
      const img = teacherImage();
      const { check, frame, core, m } = pair(img, fmt);
      const x = csv('examples/teacher/input.csv');
      const t = csv('examples/teacher/target.csv');
      core.setTargets(t[0]!);
      m.setTargets(t[0]!);
      for (let mask = 1; mask <= 15; mask++) frame(x[mask]!, true, mask, `${fmt.name} mask ${mask}`);
      burst(fmt, undefined, { core, m, frame, check });
      check(`${fmt.name} burst`);
      expect(core.saturations).toBeGreaterThan(100);
    });
  }

  it('replays the known-answer vectors (test/vectors/fixed-point-core.json): outputs, saturations, u, Δ, r̄_in and weights', () => {
    const V = JSON.parse(readFileSync(new URL('../vectors/fixed-point-core.json', import.meta.url), 'utf8')) as Vectors;
    for (const c of V.cases) {
      const img = decodeImage(Uint8Array.from(Buffer.from(c.image.hex, 'hex')));
      const prog = compileProgram(img);
      const m = new CoreProgramMachine(prog);
      const vecOf = (name: string, len: number) => {
        const a = prog.vectors[name]!;
        return Array.from(m.mem[a.bank]!.subarray(a.word, a.word + len), (x) => x + 0);
      };
      c.frames.forEach((f, k) => {
        if (f.targets) m.setTargets(f.targets);
        expect(Array.from(m.frame(f.inputs, f.learn, c.probes)), `${c.name} frame ${k}`).toEqual(f.outputs);
        expect(m.saturations, `${c.name} frame ${k}: saturations`).toBe(f.state.saturations);
        expect(m.frames).toBe(f.state.frames);
        expect(vecOf('U', img.nNeurons), `${c.name} frame ${k}: u`).toEqual(f.state.u);
        expect(vecOf('DELTA', img.nNeurons), `${c.name} frame ${k}: delta`).toEqual(f.state.delta);
        expect(vecOf('RBARIN', img.nInputs), `${c.name} frame ${k}: rbarIn`).toEqual(f.state.rbarIn);
        f.state.weights.forEach((w, j) => expect(Array.from(m.weights(j)), `${c.name} frame ${k}: weights ${j}`).toEqual(w));
      });
    }
    expect(V.cases[1]!.frames.at(-1)!.state.saturations).toBeGreaterThan(0);
  });

  it('no instruction reads two words of one bank in a cycle (the machine checks every element), and the program is short', () => {
    for (const fmt of FORMATS) {
      const prog = compileProgram(teacherImage(), fmt);
      expect(prog.code.length).toBeLessThan(128);
      for (const b of prog.banks) expect(b.words).toBeLessThanOrEqual(256);
    }
  });

  // Mutation checks: each small change of the program (a rounding, a saturation count, the nudging mask,
  // the order of a difference) must be caught by the comparison above within a few hundred frames.
  const mutations: Array<[string, string, (e: EI | MI) => void]> = [
    ['a rounding shift off by one (the pass epilogue m = u − shr(q, 8))', 'm', (e) => ((e as MI).epi!.sh += 1)],
    ['the relaxation shift dropped (Δ += b − HΔ)', 'relax', (e) => ((e as EI).sh = 0)],
    ['the has-target mask dropped from ē', 'ebar', (e) => ((e as EI).mask = null)],
    ['the sign of κ·Δ in HΔ flipped', 'hd-kappa', (e) => ((e as EI).pNeg = !(e as EI).pNeg)],
    ['the pre-adder of b − HΔ dropped (Δ += shr(b, s))', 'relax', (e) => delete ((e as EI).y as { sub?: unknown }).sub],
    ['the saturation count of Δ dropped (clamped, not counted)', 'relax', (e) => ((e as EI).count = false)],
    ['the saturation count of u dropped (clamped, not counted)', 'u', (e) => ((e as EI).count = false)],
    ['the saturation count of ē dropped (clamped, not counted)', 'ebar', (e) => ((e as EI).count = false)],
  ];
  for (const [name, tag, mutate] of mutations) {
    it(`catches a mutated program (WIDE and UP5K16): ${name}`, () => {
      for (const fmt of FORMATS) {
        const prog = compileProgram(teacherImage(), fmt);
        const code = structuredClone(prog.code);
        expect(mutateTag(code, tag, mutate), 'the mutation applies').toBe(true);
        const mutant = { ...prog, code };
        expect(() => {
          longRun(fmt, 300, mutant);
          burst(fmt, mutant);
        }, `${fmt.name}: ${name}`).toThrow();
      }
    });
  }
});

type EI = Extract<Instr, { op: 'E' }>;
type MI = Extract<Instr, { op: 'MV' }>;
function mutateTag(code: Instr[], tag: string, change: (e: EI | MI) => void): boolean {
  const e = code.find((i): i is EI | MI => (i.op === 'E' || (i.op === 'MV' && i.epi !== null)) && i.tag === tag);
  if (!e) return false;
  change(e);
  return true;
}
