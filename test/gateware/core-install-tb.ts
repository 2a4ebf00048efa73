import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { crc32 } from '../../core/crc32.js';
import { CORE_PARAMS, coreLayout, installRegisters, installWrites, type CoreInstall, type CoreParams } from '../../hardware-models/fixed-point/core-install.js';
import { encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { execBounded } from '../../host/fpga/core-sim.js';
import { repoRoot } from '../../host/board/verilate.js';

/**
 * Builders and drivers for the loader tests (test/gateware/core-install.test.ts):
 *  - the RTL: gateware/nla_core.v under Verilator with gateware/sim/core_install_tb.cpp, which installs through
 *    the core's raw write port with the firmware loader compiled in; built with
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

/** Non-default core parameters as Verilator -G overrides and C -D defines (with the memories' depth and MAX_PROJ). */
function paramFlags(params: CoreParams): { g: string[]; d: string[] } {
  const g: string[] = [];
  const d = [`-DII_AD=${coreLayout(params).AD}`, `-DII_NPROJ=${params.MAX_PROJ}`];
  for (const [k, v] of Object.entries(params)) {
    g.push(`-G${k}=${v}`);
    d.push(`-DII_${k}=${v}`);
  }
  return { g, d };
}

function build(kind: string, sources: string[], make: (tmp: string) => void, binName: string, tag = ''): string {
  const root = repoRoot();
  const h = createHash('sha256');
  h.update(FLAGS.join(' ')).update(binName).update(tag);
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
export function rtlInstallTb(params: CoreParams = CORE_PARAMS): string {
  const gw = join(repoRoot(), 'gateware');
  const v = readdirSync(gw).filter((f) => f.endsWith('.v') || f.endsWith('.vh')).sort().map((f) => join(gw, f));
  const cpp = join(gw, 'sim', 'core_install_tb.cpp');
  const fw = ['image_install.c', 'image_install.h'].map((f) => join(gw, 'firmware', f));   // compiled into the testbench
  const p = paramFlags(params);
  const dflt = JSON.stringify(params) === JSON.stringify(CORE_PARAMS);
  return build('verilator', [...v, cpp, ...fw], (tmp) => {
    let top = ['--top-module', 'nla_core'];
    const extra: string[] = [];
    if (!dflt) {
      // a wrapper with the parameters (Verilator 5.006 fails on -G of some of them), the staging ports only
      const wrap = join(tmp, 'core_install_top.v');
      const ps = Object.entries(params).map(([k, x]) => `.${k}(${x})`).join(', ');
      writeFileSync(wrap, `module core_install_top (input clk, input rst, input img_wr_en, input [16:0] img_wr_addr, input [7:0] img_wr_data,
  input cpu_we, input [2:0] cpu_mem, input [13:0] cpu_addr, input [31:0] cpu_wd, input cpu_st_rd, input [16:0] cpu_st_addr,
  output [7:0] cpu_st_byte, output img_done, output image_loaded, output [31:0] image_crc);
  /* verilator lint_off PINCONNECTEMPTY */
  nla_core #(${ps}) u (.clk(clk), .rst(rst), .img_wr_en(img_wr_en), .img_wr_addr(img_wr_addr), .img_wr_data(img_wr_data),
    .cpu_we(cpu_we), .cpu_mem(cpu_mem), .cpu_addr(cpu_addr), .cpu_wd(cpu_wd), .cpu_st_rd(cpu_st_rd), .cpu_st_addr(cpu_st_addr),
    .cpu_st_byte(cpu_st_byte), .img_done(img_done),
    .image_loaded(image_loaded), .image_crc(image_crc), .n_stim_inputs(), .n_outputs(), .n_neurons(),
    .core_reset(1'b0), .restore_weights(1'b0), .learn(1'b0), .param_we(1'b0), .param_id(16'd0), .param_value(32'd0),
    .in_we(1'b0), .in_idx(16'd0), .in_value(24'd0), .tgt_we(1'b0), .tgt_idx(16'd0), .tgt_value(24'd0), .tgt_commit(1'b0),
    .frame_go(1'b0), .frame_busy(), .frame_done(), .probes(4'd0), .out_rd_req(1'b0), .out_rd_idx(16'd0), .out_rd_valid(),
    .out_rd_data(), .saturations(), .frames_processed());
  /* verilator lint_on PINCONNECTEMPTY */
endmodule
`);
      top = ['--top-module', 'core_install_top', '-Wno-fatal'];
      extra.push(wrap);
      p.d.push('-DII_WRAP');
    }
    const flags = FLAGS.filter((f, i) => f !== '--top-module' && FLAGS[i - 1] !== '--top-module');
    execBounded('building core_install_tb (verilator)', 'verilator', [...flags, ...top, '-CFLAGS', p.d.join(' '), `-I${gw}`, '-Mdir', tmp, ...v.filter((f) => f.endsWith('.v')), ...extra, cpp, '-o', 'core_install_tb'], { timeoutMs: 10 * 60_000, maxBuffer: 1 << 26 });
  }, 'core_install_tb', [...p.g, ...p.d].join(' '));
}

/** The firmware loader's native harness (host cc). */
export function fwInstallTb(params: CoreParams = CORE_PARAMS): string {
  const fw = join(repoRoot(), 'gateware', 'firmware');
  const src = ['image_install_tb.c', 'image_install.c'].map((f) => join(fw, f));
  const p = paramFlags(params);
  return build('firmware', [...src, join(fw, 'image_install.h')], (tmp) => {
    execBounded('building image_install_tb (cc)', 'cc', ['-O2', '-std=c99', '-Wall', '-Wextra', '-Werror', ...p.d, '-o', join(tmp, 'image_install_tb'), ...src], { timeoutMs: 120_000, maxBuffer: 1 << 24 });
  }, 'image_install_tb', p.d.join(' '));
}

/** The RV32I build (riscv64-unknown-elf-gcc -march=rv32i -Os, as the firmware's) run by image_install_iss.c with the same harness. */
export function rv32InstallTb(): string {
  const fw = join(repoRoot(), 'gateware', 'firmware');
  const rv = ['rv32/ii_mmio.c', 'image_install.c'].map((f) => join(fw, f));
  const host = ['image_install_tb.c', 'image_install_iss.c'].map((f) => join(fw, f));
  return build('firmware', [...rv, ...host, join(fw, 'image_install.h'), join(fw, 'rv32_exec.h'), join(fw, 'rv32', 'link.ld')], (tmp) => {
    const elf = join(tmp, 'image_install.elf');
    execBounded('building image_install for rv32i', 'riscv64-unknown-elf-gcc', ['-march=rv32i', '-mabi=ilp32', '-Os', '-ffreestanding', '-nostdlib', '-std=c99', '-Wall', '-Werror', '-Wl,--no-warn-rwx-segments', '-T', join(fw, 'rv32', 'link.ld'), '-o', elf, ...rv, '-lgcc'], { timeoutMs: 120_000, maxBuffer: 1 << 24 });
    execBounded('objcopy', 'riscv64-unknown-elf-objcopy', ['-O', 'binary', elf, join(tmp, 'image_install.bin')], { timeoutMs: 60_000, maxBuffer: 1 << 24 });
    // the harness reads the image from its final folder (tmp is renamed into place)
    const final = tmp.replace(/\.tmp\d+$/, '');
    execBounded('building image_install_iss (cc)', 'cc', ['-O2', '-std=c99', '-Wall', '-Wextra', '-Werror', '-DII_ISS_BUILD', `-DII_IMAGE_PATH="${join(final, 'image_install.bin')}"`, '-o', join(tmp, 'image_install_iss'), ...host], { timeoutMs: 120_000, maxBuffer: 1 << 24 });
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
export function runInstallTb(bin: string, images: Uint8Array[], env: Record<string, string> = {}): TbAnswer[] {
  const input = images.map((b) => `I ${Buffer.from(b).toString('hex')}`).join('\n') + '\n';
  const out = execFileSync(bin, [], { input, timeout: 30 * 60_000, maxBuffer: 1 << 30, env: { ...process.env, ...env } }).toString().trim().split('\n');
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
export function dumpMismatch(got: TbAnswer, want: CoreInstall, params: CoreParams = CORE_PARAMS): string | null {
  if (got.result !== want.result || got.errOffset !== want.errOffset) return `result/offset: got ${got.result}/${got.errOffset}, want ${want.result}/${want.errOffset}`;
  if (want.result !== 0) return null;
  const widths = installRegisters(params);
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
