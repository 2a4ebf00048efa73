import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { crc32 } from '../../core/crc32.js';
import { CORE_PARAMS, coreLayout, installRegisters, installWrites, type CoreInstall } from '../../hardware-models/fixed-point/core-install.js';
import { encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { execBounded } from '../../host/fpga/core-sim.js';
import { repoRoot } from '../../host/board/verilate.js';

/**
 * Builders and drivers for the loader tests (test/gateware/core-install.test.ts):
 *  - the RTL loader: gateware/nla_core.v under Verilator with gateware/sim/core_install_tb.cpp, built with
 *    --public-flat-rw so the testbench reads the memories and registers hierarchically (no source change),
 *    into build/verilator/install-<hash of the sources>;
 *  - the firmware loader: gateware/firmware/image_install.c with its native harness
 *    gateware/firmware/image_install_tb.c (host cc), into build/firmware/image_install_tb.
 * Both print the same lines (core_install_tb.cpp's header); `dumpMismatch` compares one answer with coreInstall().
 */
const FLAGS = ['--cc', '--exe', '--build', '-j', '2', '-O3', '--x-assign', 'fast', '--x-initial', 'fast', '-MAKEFLAGS', 'OPT_FAST=-O2 OPT_SLOW=-O1', '-Wall', '--public-flat-rw', '--top-module', 'nla_core'];

export function hasTool(cmd: string, arg = '--version'): boolean {
  try {
    execFileSync(cmd, [arg], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function build(kind: string, sources: string[], make: (tmp: string) => void, binName: string): string {
  const root = repoRoot();
  const h = createHash('sha256');
  h.update(FLAGS.join(' ')).update(binName);
  for (const f of sources) h.update(f.slice(root.length)).update(readFileSync(f));
  const dir = join(root, 'build', kind, `install-${h.digest('hex').slice(0, 16)}`);
  const bin = join(dir, binName);
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.tmp${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    make(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

/** The RTL testbench binary (built once per version of the sources, about 40 s). */
export function rtlInstallTb(): string {
  const gw = join(repoRoot(), 'gateware');
  const v = readdirSync(gw).filter((f) => f.endsWith('.v') || f.endsWith('.vh')).sort().map((f) => join(gw, f));
  const cpp = join(gw, 'sim', 'core_install_tb.cpp');
  return build('verilator', [...v, cpp], (tmp) => {
    execBounded('building core_install_tb (verilator)', 'verilator', [...FLAGS, `-I${gw}`, '-Mdir', tmp, ...v.filter((f) => f.endsWith('.v')), cpp, '-o', 'core_install_tb'], { timeoutMs: 10 * 60_000, maxBuffer: 1 << 26 });
  }, 'core_install_tb');
}

/** The firmware loader's native harness (host cc). */
export function fwInstallTb(): string {
  const fw = join(repoRoot(), 'gateware', 'firmware');
  const src = ['image_install_tb.c', 'image_install.c'].map((f) => join(fw, f));
  return build('firmware', [...src, join(fw, 'image_install.h')], (tmp) => {
    execBounded('building image_install_tb (cc)', 'cc', ['-O2', '-std=c99', '-Wall', '-Wextra', '-Werror', '-o', join(tmp, 'image_install_tb'), ...src], { timeoutMs: 120_000, maxBuffer: 1 << 24 });
  }, 'image_install_tb');
}

/** The RV32I build (riscv64-unknown-elf-gcc -march=rv32i -Os, as the firmware's) run by image_install_iss.c with the same harness. */
export function rv32InstallTb(): string {
  const fw = join(repoRoot(), 'gateware', 'firmware');
  const rv = ['rv32/ii_mmio.c', 'image_install.c'].map((f) => join(fw, f));
  const host = ['image_install_tb.c', 'image_install_iss.c'].map((f) => join(fw, f));
  return build('firmware', [...rv, ...host, join(fw, 'image_install.h'), join(fw, 'rv32', 'link.ld')], (tmp) => {
    const elf = join(tmp, 'image_install.elf');
    execBounded('building image_install for rv32i', 'riscv64-unknown-elf-gcc', ['-march=rv32i', '-mabi=ilp32', '-Os', '-ffreestanding', '-nostdlib', '-std=c99', '-Wall', '-Werror', '-Wl,--no-warn-rwx-segments', '-T', join(fw, 'rv32', 'link.ld'), '-o', elf, ...rv, '-lgcc'], { timeoutMs: 120_000, maxBuffer: 1 << 24 });
    execBounded('objcopy', 'riscv64-unknown-elf-objcopy', ['-O', 'binary', elf, join(tmp, 'image_install.bin')], { timeoutMs: 60_000, maxBuffer: 1 << 24 });
    // the harness reads the image from its final folder (tmp is renamed into place)
    const final = tmp.replace(/\.tmp\d+$/, '');
    execBounded('building image_install_iss (cc)', 'cc', ['-O2', '-std=c99', '-Wall', '-Wextra', '-Werror', `-DII_IMAGE_PATH="${join(final, 'image_install.bin')}"`, '-o', join(tmp, 'image_install_iss'), ...host], { timeoutMs: 120_000, maxBuffer: 1 << 24 });
  }, 'image_install_iss');
}

/** One image's answer as a testbench prints it. */
export interface TbAnswer {
  result: number;
  errOffset: number;
  regs?: number[];
  aw?: bigint[];
  fb?: bigint[];
  wm?: bigint[];
}

/** Runs images through a testbench binary; one answer per image. */
export function runInstallTb(bin: string, images: Uint8Array[]): TbAnswer[] {
  const input = images.map((b) => `I ${Buffer.from(b).toString('hex')}`).join('\n') + '\n';
  const out = execBounded(`${bin} (${images.length} images)`, bin, [], { input, timeoutMs: 30 * 60_000, maxBuffer: 1 << 30 }).toString().trim().split('\n');
  const answers: TbAnswer[] = [];
  for (const line of out) {
    const w = line.split(' ');
    const tag = w.shift();
    const a = answers.at(-1);
    if (tag === 'R') answers.push({ result: Number(w[0]), errOffset: Number(w[1]) });
    else if (tag === 'G') a!.regs = w.map(Number);
    else if (tag === 'A') a!.aw = w.map((x) => BigInt(`0x${x}`));
    else if (tag === 'B') a!.fb = w.map((x) => BigInt(`0x${x}`));
    else if (tag === 'W') a!.wm = w.map((x) => BigInt(`0x${x}`));
    else throw new Error(`${bin}: unexpected line '${line.slice(0, 80)}'`);
  }
  if (answers.length !== images.length) throw new Error(`${bin}: ${answers.length} answers for ${images.length} images`);
  return answers;
}

const REG_ORDER = ['a_steps', 'a_iters', 'a_relax', 'a_beta', 'a_nin', 'a_nst', 'a_nn', 'a_no', 'a_nproj', 'a_crc', 'a_nsyn', 'j_pre', 'j_pg', 'j_lrn'];

/** The first difference between a testbench's answer and the model's (null when equal on every item the model defines). */
export function dumpMismatch(got: TbAnswer, want: CoreInstall): string | null {
  if (got.result !== want.result || got.errOffset !== want.errOffset) return `result/offset: got ${got.result}/${got.errOffset}, want ${want.result}/${want.errOffset}`;
  if (want.result !== 0) return null;
  const widths = installRegisters();
  const nproj = want.registers.a_nproj!;
  for (const [k, name] of REG_ORDER.entries()) {
    let g = got.regs?.[k];
    let w = want.registers[name];
    if (name.startsWith('j_')) {
      g = g! & ((1 << nproj) - 1); // flags of projections beyond nProjections: left as they were
      w = w! & ((1 << nproj) - 1);
    }
    if (g !== w) return `register ${name} (${widths[name]} bits): got ${g}, want ${w}`;
  }
  for (const wr of installWrites(want)) {
    const m = wr.mem === 'wmem' ? got.wm : wr.mem === 'aw_mem' ? got.aw : got.fb;
    const g = m?.[wr.addr];
    if (g === undefined || (g & wr.care) !== (wr.value & wr.care)) return `${wr.mem}[${wr.addr}]: got ${g?.toString(16)}, want ${wr.value.toString(16)} (defined bits ${wr.care.toString(16)})`;
  }
  return null;
}

/** The bundled example compiled as the board tests compile it (dt 0.1 ms, 1 ms frames). */
export const teacherBytes = (): Uint8Array => encodeImage(compileBoardImage(buildGraph(loadSpecFile('examples/teacher/network.json')), { dtMs: 0.1, frameMs: 1 }).image);

/** The image with its trailer CRC recomputed. */
export function withCrc(b: Uint8Array): Uint8Array {
  new DataView(b.buffer, b.byteOffset, b.length).setUint32(b.length - 4, crc32(b, 0, b.length - 4), true);
  return b;
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Seeded corruptions of a valid image: one to three bytes set to random values (mostly in the first
 * 64 bytes and the records, where the checks are), the length changed (with totalBytes patched), or
 * a header count changed; the trailer CRC recomputed in most, so the checks past the CRC are reached.
 */
export function corruptions(good: Uint8Array, n: number, seed: number): Uint8Array[] {
  const rnd = prng(seed);
  const pick = (k: number) => Math.floor(rnd() * k);
  const out: Uint8Array[] = [];
  for (let c = 0; c < n; c++) {
    let b = good.slice();
    const how = pick(10);
    if (how <= 5) {
      const nb = 1 + pick(3);
      for (let k = 0; k < nb; k++) {
        const at = rnd() < 0.5 ? pick(Math.min(64, b.length - 4)) : pick(b.length - 4);
        b[at] = rnd() < 0.3 ? b[at]! ^ (1 << pick(8)) : pick(256);
      }
    } else if (how <= 7) {
      // the length changes: cut or grow the body, patch totalBytes
      const body = b.subarray(0, b.length - 4);
      const delta = rnd() < 0.5 ? -(1 + pick(Math.min(body.length - 40, 3000))) : 1 + pick(64);
      const nb = new Uint8Array(Math.max(0, body.length + delta) + 4);
      nb.set(body.subarray(0, Math.min(body.length, nb.length - 4)));
      if (nb.length >= 12) new DataView(nb.buffer).setUint32(8, nb.length, true);
      b = nb;
    } else {
      // a header field (offsets 12..37) or a 16-bit count set to a nearby or random value
      const at = 12 + pick(26);
      const r = rnd();
      b[at] = r < 0.4 ? (b[at]! + 1 + pick(3)) & 0xff : r < 0.6 ? 0 : r < 0.7 ? 0xff : pick(256);
    }
    if (rnd() < 0.85 && b.length >= 4) withCrc(b);
    out.push(b);
  }
  return out;
}

/**
 * Systematic corruptions: each byte in `ranges` ([from, to) byte offsets, within the body) set to 0, 1, 0xff,
 * one more, one less and with its top bit flipped, the trailer CRC recomputed.
 */
export function sweeps(good: Uint8Array, ranges: Array<[number, number]>): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const [from, to] of ranges)
    for (let at = from; at < Math.min(to, good.length - 4); at++)
      for (const v of new Set([0, 1, 0xff, (good[at]! + 1) & 0xff, (good[at]! - 1) & 0xff, good[at]! ^ 0x80])) {
        if (v === good[at]) continue;
        const b = good.slice();
        b[at] = v;
        out.push(withCrc(b));
      }
  return out;
}

export { CORE_PARAMS, coreLayout };
