import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { CORE_PARAMS, coreInstall, type CoreInstall, type CoreParams } from '../../hardware-models/fixed-point/core-install.js';
import { encodeImage, decodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { corruptions, dumpMismatch, fwInstallTb, hasTool, rtlInstallTb, rv32InstallTb, runInstallTb, sweeps, teacherBytes, withCrc } from './core-install-tb.js';
import { teacherImage } from './verilated-core.js';

// The loader model (hardware-models/fixed-point/core-install.ts) against the RTL core installed by the firmware
// loader through its raw write port (nla_core under Verilator with image_install.c compiled into the testbench,
// memories and registers read hierarchically: what the port writes lands where the model says) and against the firmware loader
// (gateware/firmware/image_install.c, native): result, byte offset and, for an installed image, every
// register and memory word the loader writes.

const hasVerilator = hasTool('verilator');
const hasCc = hasTool('cc');
const hasRv = hasCc && hasTool('riscv64-unknown-elf-gcc');
const TIMEOUT = 1_200_000;

interface Vectors {
  cases: Array<{ name: string; image: { hex: string } }>;
}

function namedImages(): Array<[string, Uint8Array]> {
  const V = JSON.parse(readFileSync(new URL('../vectors/fixed-point-core.json', import.meta.url), 'utf8')) as Vectors;
  const kat = V.cases.map((c): [string, Uint8Array] => [`vectors: ${c.name}`, Uint8Array.from(Buffer.from(c.image.hex, 'hex'))]);
  const good = teacherBytes();
  const img = teacherImage();
  // the refused images of nla-core.test.ts
  const badCrc = good.slice();
  badCrc[100] = badCrc[100]! ^ 0x40;
  const badMagic = withCrc(Object.assign(good.slice(), { 0: 0x4d }));
  const badVersion = withCrc(Object.assign(good.slice(), { 4: 2 }));
  const badRelax = withCrc(Object.assign(good.slice(), { 20: 16 }));
  const badOutputs = good.slice();
  new DataView(badOutputs.buffer).setUint16(32, 28, true);
  withCrc(badOutputs);
  const truncated = good.slice(0, good.length - 8);
  new DataView(truncated.buffer).setUint32(8, truncated.length, true);
  withCrc(truncated);
  const pad = (size: number, offset: number) => ({ ...img.populations.find((p) => p.kind === 'hidden')!, name: 'pad', size, offset, activation: { kind: 'linear' as const } });
  const wrapped = encodeImage({ ...img, populations: [...img.populations, pad(0xffff, img.nNeurons), pad(1, img.nNeurons - 1)] });
  const big = encodeImage(compileBoardImage(layeredNetwork([4, 80, 2], { activation: 'hard-sigmoid', seed: 3 }).build(), { dtMs: 0.1, frameMs: 1 }).image);
  // more shapes: clip, table and linear activations, learning off, several layers
  const shapes = (['hard-sigmoid', 'tanh', 'linear'] as const).map((activation, k): [string, Uint8Array] => [
    `layered ${activation}`,
    encodeImage(compileBoardImage(layeredNetwork([3, 6 + k, 5, 2], { activation, seed: 11 + k }).build(), { dtMs: 0.1, frameMs: 1 }).image),
  ]);
  return [
    ...kat,
    ['examples/teacher', good],
    ...shapes,
    ['refused: crc', badCrc],
    ['refused: magic', badMagic],
    ['refused: version', badVersion],
    ['refused: relaxShift', badRelax],
    ['refused: nOutputs', badOutputs],
    ['refused: truncated', truncated],
    ['refused: population sums wrapping at 2^16', wrapped],
    ['refused: 80 neurons', big],
    ['refused: too short', good.slice(0, 40)],
    ['refused: larger than the staging memory', (() => {
      const b = new Uint8Array(32772);
      b.set(good.subarray(0, good.length - 4));
      new DataView(b.buffer).setUint32(8, b.length, true);
      return withCrc(b);
    })()],
  ];
}

function corrupted(named: Array<[string, Uint8Array]>, perImage: number): Array<[string, Uint8Array]> {
  const out: Array<[string, Uint8Array]> = [];
  named
    .filter(([n]) => !n.startsWith('refused'))
    .forEach(([n, b], k) => corruptions(b, perImage, 1000 + k).forEach((c, i) => out.push([`${n}, corruption ${i} (seed ${1000 + k})`, c])));
  return out;
}

/** Every byte of the header and the first records, and of the first projection record, of each valid image, swept. */
function swept(named: Array<[string, Uint8Array]>): Array<[string, Uint8Array]> {
  const out: Array<[string, Uint8Array]> = [];
  for (const [n, b] of named.filter(([x]) => !x.startsWith('refused'))) {
    const img = decodeImage(b);
    const projStart = encodeImage({ ...img, projections: [] }).length - 4; // the projection records come last
    sweeps(b, [
      [0, 96],
      [projStart, projStart + 40],
      [b.length - 12, b.length - 4],
    ]).forEach((c, i) => out.push([`${n}, sweep ${i}`, c]));
  }
  return out;
}

function check(bin: string, images: Array<[string, Uint8Array]>, params: CoreParams = CORE_PARAMS, env: Record<string, string> = {}) {
  const got = runInstallTb(bin, images.map(([, b]) => b), env);
  const counts = [0, 0, 0];
  images.forEach(([name, b], k) => {
    const want = coreInstall(b, params);
    counts[want.result]!++;
    expect(dumpMismatch(got[k]!, want, params), name).toBeNull();
  });
  return counts;
}

describe('the loader model (core-install.ts)', () => {
  it('installs what decodeImage accepts and refuses the cases of nla-core.test.ts', () => {
    const named = namedImages();
    for (const [name, b] of named) {
      const r = coreInstall(b);
      if (name.startsWith('refused')) expect(r.result, name).not.toBe(0);
      else {
        expect(r.result, name).toBe(0);
        const img = decodeImage(b);
        expect(r.registers.a_nn, name).toBe(img.nNeurons);
        expect(r.memories.W!.words.length, name).toBe(img.projections.reduce((s, p) => s + p.weights.length, 0));
      }
    }
    // the images cover every activation: a table (tanh), clip (hard-sigmoid), linear
    const acts = new Set(named.flatMap(([n, b]) => (n.startsWith('refused') ? [] : coreInstall(b).memories.pop!.words.map((w) => Number((w >> 45n) & 3n)))));
    expect([...acts].sort()).toEqual([0, 1, 2]);
    const byName = Object.fromEntries(named.map(([n, b]) => [n, coreInstall(b)]));
    const good = teacherBytes();
    expect([byName['refused: crc']!.result, byName['refused: crc']!.errOffset]).toEqual([1, good.length - 4]);
    expect([byName['refused: magic']!.result, byName['refused: magic']!.errOffset]).toEqual([1, 0]);
    expect([byName['refused: version']!.result, byName['refused: version']!.errOffset]).toEqual([1, 4]);
    expect([byName['refused: relaxShift']!.result, byName['refused: relaxShift']!.errOffset]).toEqual([1, 20]);
    expect([byName['refused: nOutputs']!.result, byName['refused: nOutputs']!.errOffset]).toEqual([1, 32]);
    expect(byName['refused: 80 neurons']!.result).toBe(2);
    expect([byName['refused: larger than the staging memory']!.result, byName['refused: larger than the staging memory']!.errOffset]).toEqual([2, 8]);
  });
});

describe.skipIf(!hasVerilator)('the firmware loader through nla_core\'s raw write port installs in the RTL exactly what coreInstall() says', () => {
  it('the known-answer images, the example, more shapes and the refused images: result, offset, every register and word', () => {
    const named = namedImages();
    const counts = check(rtlInstallTb(), named);
    expect(counts[0]).toBeGreaterThanOrEqual(6);
    // the comparison is not vacuous: a weight, a record word, a register changed in the model are caught
    const teacher = named.find(([n]) => n === 'examples/teacher')![1];
    const got = runInstallTb(rtlInstallTb(), [teacher])[0]!;
    const bad = [
      (w: CoreInstall) => (w.memories.W0!.words[7]! ^= 1n),
      (w: CoreInstall) => (w.memories.rec!.words[0]! ^= 1n << 40n),
      (w: CoreInstall) => (w.memories.npi!.words[0]! ^= 1n),
      (w: CoreInstall) => (w.registers.a_crc! ^= 1),
    ];
    for (const f of bad) {
      const want = coreInstall(teacher);
      f(want);
      expect(dumpMismatch(got, want)).not.toBeNull();
    }
  }, TIMEOUT);

  it('seeded random corruptions of the valid images: result and offset (and the installed state when one is still valid)', () => {
    const counts = check(rtlInstallTb(), corrupted(namedImages(), 150));
    expect(counts[1]).toBeGreaterThan(400);
    expect(counts[2]).toBeGreaterThan(10);
  }, TIMEOUT);

  it('every byte of the headers, first records and trailers swept (0, 1, 0xff, +1, -1, top bit): result and offset', () => {
    const counts = check(rtlInstallTb(), swept(namedImages()));
    expect(counts[1]).toBeGreaterThan(1000);
  }, TIMEOUT);
});
describe.skipIf(!hasCc)('the firmware loader (gateware/firmware/image_install.c) installs exactly what coreInstall() says', () => {
  it('the known-answer images, the example, more shapes and the refused images', () => {
    check(fwInstallTb(), namedImages());
  }, TIMEOUT);

  it('seeded random corruptions of the valid images', () => {
    check(fwInstallTb(), corrupted(namedImages(), 150));
  }, TIMEOUT);

  it('every byte of the headers, first records and trailers swept', () => {
    check(fwInstallTb(), swept(namedImages()));
  }, TIMEOUT);

  it('run as a job a slice at a time (image_install_poll: 1, 7 and 64 staged bytes a call): the same answers', () => {
    const named = namedImages();
    const images = [...named, ...corrupted(named, 40)];
    for (const slice of ['1', '7', '64']) check(fwInstallTb(), images, CORE_PARAMS, { II_SLICE: slice });
  }, TIMEOUT);
});

describe.skipIf(!hasRv)('the firmware loader as rv32i machine code (riscv64-unknown-elf-gcc -march=rv32i -Os, run by image_install_iss.c)', () => {
  it('the named images, seeded corruptions and the byte sweeps', () => {
    const named = namedImages();
    check(rv32InstallTb(), [...named, ...corrupted(named, 40), ...swept(named)]);
  }, TIMEOUT);
});

// Other builds of the core: larger (AW 9, more records; MAX_NEURONS 128 crashes Verilator 5.006 on nla_core) and smaller (the limits refuse most images, at their fields)
const OTHER_PARAMS: Array<[string, CoreParams]> = [
  ['larger', { MAX_NEURONS: 64, MAX_INPUTS: 64, MAX_OUTPUTS: 32, MAX_SYNAPSES: 4096, MAX_POPS: 32, MAX_PROJ: 16, MAX_TABLES: 2, IMG_BYTES: 32768, MAX_PAYLOAD: 512 }],
  ['smaller', { MAX_NEURONS: 16, MAX_INPUTS: 8, MAX_OUTPUTS: 4, MAX_SYNAPSES: 256, MAX_POPS: 4, MAX_PROJ: 2, MAX_TABLES: 1, IMG_BYTES: 8192, MAX_PAYLOAD: 24 }],
];

describe.skipIf(!hasVerilator || !hasCc)('other core parameters: RTL, firmware and model agree', () => {
  for (const [name, params] of OTHER_PARAMS)
    it(`${name} build (${Object.values(params).join(', ')})`, () => {
      const named = namedImages();
      const images = [...named, ...corrupted(named, 30)];
      const rtl = check(rtlInstallTb(params), images, params);
      const fw = check(fwInstallTb(params), images, params);
      expect(fw).toEqual(rtl);
      expect(rtl[0]! + rtl[2]!).toBeGreaterThan(0);
    }, TIMEOUT);
});
