import { expect } from 'vitest';
import { FixedPointCore, NO_TARGET_Q } from '../../hardware-models/fixed-point/core.js';
import { toSignal, UP5K16 } from '../../hardware-models/fixed-point/format.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { deeperNetworkImage } from '../gateware/fixtures.js';
import { csv, teacherImage } from '../gateware/verilated-core.js';

/** The core interface both sides of a comparison offer (FixedPointCore's). */
export interface CoreLike {
  reset(): void;
  reloadWeights(): void;
  setTargets(values: ArrayLike<number>): void;
  setParam(id: number, value: number): void;
  frame(inputs: ArrayLike<number>, learn: boolean, probes?: number): Int32Array;
  weights(k: number): ArrayLike<number>;
  readonly saturations: number;
  readonly frames: number;
}

export const clip64 = (): BoardImage => compileBoardImage(layeredNetwork([6, 40, 18, 6], { activation: 'hard-sigmoid', seed: 5 }).build(), { dtMs: 0.1, frameMs: 0.5 }).image;
/** The example, the deeper network (three table populations) and a 64-neuron clip network. */
export const NETWORKS: Array<[string, () => BoardImage]> = [
  ['example', teacherImage],
  ['deeper', deeperNetworkImage],
  ['64-neuron clip', clip64],
];

/**
 * 240 frames against FixedPointCore(img, UP5K16), every probe: learning (40 of every 50 frames), targets every 7th
 * frame (output 0 without one for frames 101–129), SET_PARAM BETA_Q16 at frames 60, 80 and 100 (β × 3 + 7, β / 37,
 * 2^20: different exponents), ITERATIONS 2 at 120, RESET at 160 and RESET with restore at 200.
 */
export function driveAgainstReference(name: string, img: BoardImage, side: CoreLike): FixedPointCore {
  const core = new FixedPointCore(img, UP5K16);
  const nIn = img.nStimulusInputs;
  const nOut = img.outputs.length;
  const inputs = name === 'example' ? csv('examples/teacher/input.csv') : null;
  const check = (what: string) => {
    expect(side.saturations, `${what}: saturations`).toBe(core.saturations);
    expect(side.frames, `${what}: frames`).toBe(core.frames);
    core.weights.forEach((w, k) => expect(Array.from(side.weights(k)), `${what}: projection ${k}`).toEqual(Array.from(w)));
  };
  const betas: Record<number, number> = { 60: img.betaQ16 * 3 + 7, 80: Math.floor(img.betaQ16 / 37) + 1, 100: 2 ** 20 };
  for (let k = 0; k < 240; k++) {
    if (betas[k] !== undefined) {
      core.image.betaQ16 = betas[k]!;
      side.setParam(2, betas[k]!);
    }
    if (k === 120) {
      core.image.iterations = 2;
      side.setParam(3, 2);
    }
    if (k === 160 || k === 200) {
      check(`${name} before reset ${k}`);
      core.reset();
      side.reset();
      if (k === 200) {
        core.reloadWeights();
        side.reloadWeights();
      }
      check(`${name} after reset ${k}`);
    }
    if (k % 7 === 0) {
      const t = Array.from({ length: nOut }, (_, c) => (c === 0 && k > 100 && k < 130 ? NO_TARGET_Q : toSignal(0.3 * Math.sin(k / 17 + c))));
      core.setTargets(t);
      side.setTargets(t);
    }
    const x = inputs ? inputs[k % inputs.length]! : Array.from({ length: nIn }, (_, c) => toSignal(0.5 + 0.45 * Math.sin(k / 13 + 2 * c)));
    const learn = k % 50 < 40;
    expect(Array.from(side.frame(x, learn, 15)), `${name} frame ${k}`).toEqual(Array.from(core.frame(x, learn, 15)));
  }
  check(`${name} end`);
  return core;
}
