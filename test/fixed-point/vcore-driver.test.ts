import { describe, expect, it } from 'vitest';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { decodeVcoreImage, VCORE_GENERIC_BUILD } from '../../hardware-models/fixed-point/vcore-image.js';
import { VcoreDriver } from '../../hardware-models/fixed-point/vcore-driver.js';
import { MachinePort } from '../../hardware-models/fixed-point/vcore-machine-port.js';
import { driveAgainstReference, NETWORKS } from './vcore-drive.js';
import { teacherImage } from '../gateware/verilated-core.js';

// The firmware's use of the vector core (vcore-driver.ts) through the host port only, on a modelled core
// (vcore-machine-port.ts: it decodes the program memory as the RTL fetches it and holds no exponents), against
// FixedPointCore(image, UP5K16): install, RESET (all banks, bias, counter), RESET with restore (W ← W0 through the
// port), TARGET_FRAME's read-modify-write of the has-target flag, SET_PARAM BETA's refold of the β readers'
// halfwords, frames and every probe. Two mutations show the comparison sees the port: a refold that is not written,
// and a restore that reads W instead of W0.

const B = VCORE_GENERIC_BUILD;

function driver(img = teacherImage(), port = new MachinePort(B)) {
  const d = new VcoreDriver(decodeVcoreImage(compileVcoreImage(img)), port, B.weightWords);
  d.install();
  return d;
}

describe('VcoreDriver over the modelled port is bit-exact with FixedPointCore (UP5K16)', () => {
  for (const [name, make] of NETWORKS) {
    it(`${name}: learning, targets, SET_PARAM BETA (three exponents) and ITERATIONS, both resets, every probe`, () => {
      const img = make();
      const d = driver(img);
      const writes0 = d.counts.writes;
      driveAgainstReference(name, img, d);
      expect(d.counts.writes).toBeGreaterThan(writes0);
    });
  }

  it('SET_PARAM BETA rewrites only the halfwords of the β readers that change, then K', () => {
    const img = teacherImage();
    const d = driver(img);
    const before = d.counts.writes;
    d.setParam(2, img.betaQ16 * 64);
    const n = d.counts.writes - before;
    expect(n).toBeGreaterThan(1);
    expect(n).toBeLessThanOrEqual(1 + 2 * d.image.betaReaders.length);
  });

  it('mutations: a refold that is never written, a restore from W instead of W0: both diverge', () => {
    const img = teacherImage();
    const port = new MachinePort(B);
    const d = driver(img, port);
    // after install, drop every program write
    port.progWrite = () => {};
    expect(() => driveAgainstReference('example', img, d)).toThrow(/frame 60|frame 6\d|frame 7\d|frame 8\d|frame 9\d|frame 1\d\d/);
    const port2 = new MachinePort(B);
    const d2 = driver(img, port2);
    const wRead = port2.wRead.bind(port2);
    port2.wRead = (a) => wRead(a >= B.weightWords ? a - B.weightWords : a);
    expect(() => driveAgainstReference('example', img, d2)).toThrow(/after reset 200|frame 2\d\d/);
  });

  it('port accesses per frame (the firmware cost, printed): example, learning, all probes', () => {
    const d = driver();
    const w0 = d.counts.writes;
    const r0 = d.counts.reads;
    d.setTargets([1000, -2000, 3000]);
    d.frame([1, 2, 3, 4, 5, 6].map((x) => x * 4096), true, 15);
    const writes = d.counts.writes - w0;
    const reads = d.counts.reads - r0;
    // inputs 6 + targets (ht, prev, ustar) 3 × 3 writes; reads: ht 3 + probes 3 × 3 + 27
    expect(writes).toBe(6 + 9);
    expect(reads).toBe(3 + 9 + 27);
    console.log(`vcore driver, example learning frame with targets and all probes: ${writes} port writes, ${reads} reads`);
  });
});
