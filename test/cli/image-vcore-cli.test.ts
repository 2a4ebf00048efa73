import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla, root } from './run-nla.js';
import { decodeImage, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { decodeVcoreImage, VCORE_UP5K_BUILD } from '../../hardware-models/fixed-point/vcore-image.js';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';

// `nla image --vcore-out`: the vector core's image beside the board image, as a separate process writes it. The file
// decodes against the generic build, names the board image it came from and equals the library's compileVcoreImage of
// that board image; a network the core cannot hold exits 2 naming the limit, and writes no vcore file.

describe('nla image --vcore-out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nla-vcore-cli-'));
  beforeAll(() => ensureBuilt());

  it('writes the vector core image of the example and reports it', () => {
    const r = nla(['image', join(root, 'examples/teacher/network.json'), '--out', join(dir, 'net.nlai'), '--vcore-out', join(dir, 'net.nlav'), '--json']);
    expect(r.code, r.err).toBe(0);
    const s = JSON.parse(r.out);
    const nlai = new Uint8Array(readFileSync(join(dir, 'net.nlai')));
    const nlav = new Uint8Array(readFileSync(join(dir, 'net.nlav')));
    const vi = decodeVcoreImage(nlav);
    expect(vi.sourceImageId).toBe(imageId(nlai));
    expect(Array.from(nlav)).toEqual(Array.from(compileVcoreImage(decodeImage(nlai))));
    expect(s.vcore.instructions).toBe(vi.prog.code.length);
    expect(s.vcore.bytes).toBe(nlav.length);
    expect(s.vcore.crc32).toBe(`0x${imageId(nlav).toString(16).padStart(8, '0')}`);
  });

  it('a 784-500-10 network exits 2 naming what the vector core cannot hold', () => {
    const spec = join(dir, 'big.json');
    writeFileSync(spec, JSON.stringify(layeredNetwork([784, 500, 10], { activation: 'hard-sigmoid', seed: 5 }).toSpec()));
    const r = nla(['image', spec, '--vcore-out', join(dir, 'big.nlav')]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/--vcore-out: the vector core \(128 instructions, 8 banks of 256 × 42(, 256 × 42){7} bits, 4096 weights\) cannot run layered-784-500-10: it needs 35 vector banks \(the largest \d+ words × \d+ bits\), the core has 8 \(256×42, .*\); 397000 weight registers, the core holds 4096/);
    expect(() => readFileSync(join(dir, 'big.nlav'))).toThrow();
  });

  it("--vcore-build up5k compiles for the UP5K board's build (what board_top synthesizes); an unknown build exits 2", () => {
    const r = nla(['image', join(root, 'examples/teacher/network.json'), '--out', join(dir, 'b.nlai'), '--vcore-out', join(dir, 'b.nlav'), '--vcore-build', 'up5k', '--json']);
    expect(r.code, r.err).toBe(0);
    const nlai = new Uint8Array(readFileSync(join(dir, 'b.nlai')));
    const nlav = new Uint8Array(readFileSync(join(dir, 'b.nlav')));
    expect(Array.from(nlav)).toEqual(Array.from(compileVcoreImage(decodeImage(nlai), VCORE_UP5K_BUILD)));
    expect(decodeVcoreImage(nlav, VCORE_UP5K_BUILD).sourceImageId).toBe(imageId(nlai));
    const bad = nla(['image', join(root, 'examples/teacher/network.json'), '--vcore-out', join(dir, 'c.nlav'), '--vcore-build', 'ecp5']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--vcore-build: expected 'generic' or 'up5k', got 'ecp5'/);
  });
});
