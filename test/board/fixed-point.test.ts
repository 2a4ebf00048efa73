import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { validateSpec } from '../../compiler/spec/validate.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { crc32 } from '../../core/crc32.js';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { SIGNAL_MAX, toSignal } from '../../hardware-models/fixed-point/format.js';
import { decodeImage, encodeImage, ImageError, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { sines, targetSines } from '../helpers.js';
import { boardVsFloat } from './board-vs-float.js';

const teacher = () => buildGraph(loadSpecFile('examples/teacher/network.json'));

/** A spec object through the same validation as files. */
function graphOf(spec: Record<string, unknown>): NlaGraph {
  return buildGraph(validateSpec({ format: 'nla-network/1', name: 'test', seed: 3, tauMs: 10, tauInMs: 10, beta: 0.1, ...spec }));
}

describe('board image codec', () => {
  const img = compileBoardImage(teacher(), { dtMs: 0.1, frameMs: 1 }).image;
  const bytes = encodeImage(img);

  it('round-trips every field', () => {
    expect(decodeImage(bytes)).toEqual(img);
    expect(encodeImage(decodeImage(bytes))).toEqual(bytes);
  });

  it("an image's id (its stored CRC) tells images apart", () => {
    const other = encodeImage(compileBoardImage(teacher(), { dtMs: 0.1, frameMs: 2 }).image);
    expect(imageId(bytes)).toBe(crc32(bytes, 0, bytes.length - 4));
    expect(imageId(other)).not.toBe(imageId(bytes));
  });

  it('any corrupted byte is refused (CRC), naming the byte', () => {
    for (let i = 0; i < bytes.length; i += 97) {
      const bad = Uint8Array.from(bytes);
      bad[i]! ^= 0x5a;
      expect(() => decodeImage(bad, 'img.bin')).toThrow(ImageError);
    }
    const bad = Uint8Array.from(bytes);
    bad[200]! ^= 1;
    expect(() => decodeImage(bad, 'img.bin')).toThrow(/img\.bin: byte \d+ \(crc32\): expected 0x[0-9a-f]{8}, got 0x[0-9a-f]{8}/);
  });

  it('a well-formed image with an inconsistent field names the field and the byte', () => {
    // population 2 ('hidden') offset: break it and fix the CRC so that only the field is wrong
    const bad = Uint8Array.from(bytes);
    const v = new DataView(bad.buffer);
    const name = img.network.length;
    let at = 38 + 1 + name; // the 38-byte header and the name string
    const pops = img.populations;
    for (let k = 0; k < 2; k++) {
      const p = pops[k]!;
      at += 1 + 2 + 2 + 4 + 1 + (p.activation.kind === 'clip' ? 4 : 0) + 1 + p.name.length;
    }
    v.setUint16(at + 3, 5, true);
    v.setUint32(bad.length - 4, crc32(bad, 0, bad.length - 4), true);
    expect(() => decodeImage(bad, 'img.bin')).toThrow(`img.bin: byte ${at + 3} (populations[2].offset): expected 0 (populations are contiguous), got 5`);
    expect(() => decodeImage(bytes.subarray(0, 30), 'img.bin')).toThrow(/expected at least 48 bytes, got 30/);
    // the offset is also a field of the error, for callers that report it (the RTL core's tests compare it)
    const offsetOf = (b: Uint8Array) => {
      try {
        decodeImage(b);
      } catch (e) {
        return e instanceof ImageError ? e.byteOffset : undefined;
      }
      return undefined;
    };
    expect(offsetOf(bad)).toBe(at + 3);
    expect(offsetOf(bytes.subarray(0, 30))).toBeNull();
  });
});

describe('compiling a board image', () => {
  it('refuses what the core cannot run, with the reason', () => {
    const base = { populations: [{ name: 'in', kind: 'input', size: 4 }, { name: 'h', kind: 'hidden', size: 5 }, { name: 'out', kind: 'output', size: 2 }], projections: [{ from: 'in', to: 'h' }, { from: 'h', to: 'out' }], activation: 'hard-sigmoid' };
    expect(() => compileBoardImage(graphOf({ ...base, feedback: { mode: 'random' } }), { dtMs: 0.1, frameMs: 1 })).toThrow(/feedback: .*transposed weights; feedback 'random' is not supported/);
    expect(() => compileBoardImage(graphOf(base), { dtMs: 10, frameMs: 10 })).toThrow(/dt = 10 ms must be smaller than τ = 10 ms/);
    expect(() => compileBoardImage(graphOf(base), { dtMs: 0.1, frameMs: 0.25 })).toThrow(/whole number of steps of 0.1 ms, got 0.25 ms/);
    const wide = graphOf({ ...base, populations: [{ name: 'in', kind: 'input', size: 1100 }, base.populations[1], base.populations[2]] });
    expect(() => compileBoardImage(wide, { dtMs: 0.1, frameMs: 1 })).toThrow(/h\[0\] has a fan-in of 1100 synapses; the core's accumulators hold at most 1024/);
  });

  it('warns when quantisation silences a neuron or saturates weights', () => {
    const g = graphOf({ populations: [{ name: 'in', kind: 'input', size: 3 }, { name: 'out', kind: 'output', size: 2 }], projections: [{ from: 'in', to: 'out' }], activation: 'linear' });
    g.projections[0]!.weights.set([1e-7, -2e-7, 3e-7, 12, 0.5, -0.5]);
    const { warnings } = compileBoardImage(g, { dtMs: 0.1, frameMs: 1 });
    expect(warnings.some((w) => /out\[0\]: every incoming weight rounds to 0 .* silenced/.test(w))).toBe(true);
    expect(warnings.some((w) => /1 weight\(s\) outside the Q3.28 range ±8 saturate/.test(w))).toBe(true);
    expect(warnings.some((w) => /out\[1\]/.test(w))).toBe(false);
  });
});

describe('fixed point vs float (the bound stated in docs/protocol.md)', () => {
  it('a trained network, inference: every voltage within 2⁻¹² of the float engine over 3 s', () => {
    // train in float first (the student learns the teacher), then put it on the board
    const g = teacher();
    const sim = new DigitalSimulator(g, { dtMs: 0.1, learn: true });
    const d = new SignalDrive(sines(g.nStimulusInputs, 5), targetSines(g.outputs.length));
    for (let k = 0; k < 20_000; k++) sim.step(d);
    sim.weights().forEach((W, k) => g.projections[k]!.weights.set(W));
    const r = boardVsFloat(g, 3000, { learn: false, targets: false });
    expect(r.maxU).toBeGreaterThan(0.3); // the outputs really move
    expect(r.saturations).toBe(0);
    expect(r.maxErr).toBeLessThanOrEqual(2 ** -12);
  }, 60_000);

  it('learning on the board with targets: voltages within 2⁻⁹ and weights within 2⁻¹⁰ of the float engine over 2 s', () => {
    const r = boardVsFloat(teacher(), 2000, { learn: true, targets: true });
    expect(r.maxErr).toBeLessThanOrEqual(2 ** -9);
    expect(r.maxW).toBeLessThanOrEqual(2 ** -10);
    expect(r.maxW).toBeGreaterThan(0); // quantised updates: not identical, but close
  }, 60_000);

  it('signals saturate at the format limits (counted), never wrap around', () => {
    const g = graphOf({ populations: [{ name: 'in', kind: 'input', size: 2 }, { name: 'out', kind: 'output', size: 1 }], projections: [{ from: 'in', to: 'out' }], activation: 'linear' });
    g.projections[0]!.weights.set([7.9, 7.9]);
    const core = new FixedPointCore(compileBoardImage(g, { dtMs: 0.1, frameMs: 1 }).image);
    let out = 0;
    for (let k = 0; k < 200; k++) out = core.frame([toSignal(7.5), toSignal(7.5)], false)[0]!;
    expect(out).toBe(SIGNAL_MAX);
    expect(core.saturations).toBeGreaterThan(0);
  });
});
