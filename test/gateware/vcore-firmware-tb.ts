import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execBounded } from '../../host/fpga/core-sim.js';
import { repoRoot } from '../../host/board/verilate.js';
import { decodeVcoreImage, ImageError, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import type { VcorePort } from '../../hardware-models/fixed-point/vcore-driver.js';

/**
 * Builders and drivers for test/gateware/vcore-firmware.test.ts: the firmware's vcore image check and driver
 * (gateware/firmware/vcore_image.c, vcore_prog_check.c, vcore_driver.c) with their native harness vcore_tb.c (host
 * cc), and the same harness with the check run as rv32i machine code (vcore_iss.c); the field table the C check and
 * the test share (VCORE_FIELDS in vcore_image.h); a logging VcorePort that prints accesses as the C logging HAL does.
 */
const FW = () => join(repoRoot(), 'gateware', 'firmware');
const CFLAGS = ['-O2', '-std=c99', '-Wall', '-Wextra', '-Werror'];
/** The firmware's rv32i build flags (gateware/firmware/Makefile RV_BASE). */
export const RV_FLAGS = ['-march=rv32i', '-mabi=ilp32', '-Os', '-ffreestanding', '-nostdlib', '-std=c99', '-Wall', '-Werror'];

function cached(name: string, sources: string[], make: (dir: string) => void): string {
  const h = createHash('sha256').update(name);
  for (const f of sources) h.update(f).update(readFileSync(join(FW(), f)));
  const dir = join(repoRoot(), 'build', 'firmware', `vcore-${h.digest('hex').slice(0, 16)}`);
  const bin = join(dir, name);
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.tmp${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  make(tmp);
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

const NATIVE = ['vcore_tb.c', 'vcore_image.c', 'vcore_prog_check.c', 'vcore_driver.c'];
const HEADERS = ['vcore_image.h', 'vcore_driver.h'];

/** The native harness (host cc). */
export function vcoreTb(): string {
  return cached('vcore_tb', [...NATIVE, ...HEADERS], (tmp) =>
    execBounded('building vcore_tb (cc)', 'cc', [...CFLAGS, '-o', join(tmp, 'vcore_tb'), ...NATIVE.map((f) => join(FW(), f))], { timeoutMs: 120_000, maxBuffer: 1 << 24 }),
  );
}

/** The harness with the check as rv32i -Os machine code (vcore_iss.c runs it). */
export function vcoreIssTb(): string {
  const rv = ['rv32/vcore_entry.c', 'vcore_image.c', 'vcore_prog_check.c'];
  const host = ['vcore_iss.c', 'vcore_tb.c', 'vcore_driver.c'];
  return cached('vcore_iss', [...rv, ...host, ...HEADERS, 'rv32_exec.h', 'rv32/link.ld'], (tmp) => {
    const elf = join(tmp, 'vcore_check.elf');
    execBounded('building the vcore check for rv32i', 'riscv64-unknown-elf-gcc', [...RV_FLAGS, '-Wl,--no-warn-rwx-segments', '-T', join(FW(), 'rv32', 'link.ld'), '-o', elf, ...rv.map((f) => join(FW(), f)), '-lgcc'], { timeoutMs: 120_000, maxBuffer: 1 << 24 });
    execBounded('objcopy', 'riscv64-unknown-elf-objcopy', ['-O', 'binary', elf, join(tmp, 'vcore_check.bin')], { timeoutMs: 60_000, maxBuffer: 1 << 24 });
    const final = tmp.replace(/\.tmp\d+$/, '');
    execBounded('building vcore_iss (cc)', 'cc', [...CFLAGS, `-DVI_IMAGE_PATH="${join(final, 'vcore_check.bin')}"`, '-o', join(tmp, 'vcore_iss'), ...host.map((f) => join(FW(), f))], { timeoutMs: 120_000, maxBuffer: 1 << 24 });
  });
}

/** The B line of a build (8 bank pairs, unused ones 0; the read masks A, X, Y, S, M last). */
export function buildLine(b: VcoreBuild): string {
  const banks = Array.from({ length: 8 }, (_, k) => [b.banks[k]?.words ?? 0, b.banks[k]?.bits ?? 0]).flat();
  const r = b.readBanks;
  return ['B', 1, b.weightShift, b.weightBits, b.operandBits, b.factorBits, b.instructions, b.banks.length, ...banks, b.kRegs, b.weightWords, b.tableWords, r.a, r.x, r.y, r.s, r.m].join(' ');
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Runs a harness on input lines; its output lines. */
export function runTb(bin: string, lines: string[], env: Record<string, string> = {}): string[] {
  const out = execFileSync(bin, [], { input: lines.join('\n') + '\n', timeout: 20 * 60_000, maxBuffer: 1 << 30, env: { ...process.env, ...env } });
  return out.toString().split('\n').filter((l) => l.length > 0);
}

/** The C check's answer for one image. */
export interface CheckAnswer {
  code: number;
  offset: number | null;
  a: number;
  b: number;
  op: number;
}

/** Checks images against a build with a harness. */
export function cCheck(bin: string, build: VcoreBuild, images: Uint8Array[]): CheckAnswer[] {
  const out = runTb(bin, [buildLine(build), ...images.map((b) => `C ${hex(b)}`)]);
  if (out.length !== images.length) throw new Error(`${bin}: ${out.length} answers for ${images.length} images: ${out.slice(-2).join(' | ')}`);
  return out.map((l) => {
    const [tag, code, off, a, b, op] = l.split(' ');
    if (tag !== 'R') throw new Error(`unexpected line ${l}`);
    return { code: Number(code), offset: off === '-1' ? null : Number(off), a: Number(a), b: Number(b), op: Number(op) };
  });
}

/** VCORE_FIELDS of vcore_image.h: code → name pattern. */
export function fieldTable(): Map<number, { id: string; pattern: string }> {
  const h = readFileSync(join(FW(), 'vcore_image.h'), 'utf8');
  const m = new Map<number, { id: string; pattern: string }>();
  for (const x of h.matchAll(/X\((\d+), (\w+), "([^"]*)"\)/g)) m.set(Number(x[1]), { id: x[2]!, pattern: x[3]! });
  return m;
}

/** VCORE_RTL_NAMES of vcore_image.h: the RTL field names (%r, err_b) of the RTL refusals. */
export function rtlNameTable(): Map<number, string> {
  const h = readFileSync(join(FW(), 'vcore_image.h'), 'utf8');
  return new Map([...h.matchAll(/R\((\d+), (\w+), "([^"]*)"\)/g)].map((x) => [Number(x[1]), x[3]!]));
}

const OPS = ['HALT', 'E', 'MV', 'DOT', 'PLAS', 'ACT', 'LOOP', 'NEXT', 'JNL', 'JMP'];

/** The field a C answer names, as the TypeScript message names it. */
export function fieldName(table: ReturnType<typeof fieldTable>, a: CheckAnswer): string {
  const f = table.get(a.code);
  if (!f) throw new Error(`unknown field code ${a.code}`);
  const r = () => rtlNameTable().get(a.b) ?? `unknown RTL name ${a.b}`;
  return f.pattern.replace('%a', String(a.a)).replace('%b', String(a.b)).replace('%o', OPS[a.op] ?? `op ${a.op}`).replace('%r', r);
}

/** decodeVcoreImage's answer: accepted, or the refusal's offset and message. */
export function tsCheck(bytes: Uint8Array, build: VcoreBuild): { ok: true } | { ok: false; offset: number | null; message: string } {
  try {
    decodeVcoreImage(bytes, build);
    return { ok: true };
  } catch (e) {
    if (!(e instanceof ImageError)) throw e;
    return { ok: false, offset: e.byteOffset, message: e.message };
  }
}

/** The first disagreement between the C answer and decodeVcoreImage's (null when they agree on accept/refuse, byte and field). */
export function disagreement(table: ReturnType<typeof fieldTable>, c: CheckAnswer, bytes: Uint8Array, build: VcoreBuild): string | null {
  const t = tsCheck(bytes, build);
  if (t.ok) return c.code === 0 ? null : `TS accepts, C refuses with ${fieldName(table, c)} at ${c.offset}`;
  if (c.code === 0) return `C accepts, TS refuses: ${t.message}`;
  if (table.get(c.code)!.id === 'SHORT') return t.offset === null && /expected at least 64 bytes/.test(t.message) ? null : `C: too short; TS: ${t.message}`;
  const want = `vcore image: byte ${c.offset} (${fieldName(table, c)}): `;
  return t.offset === c.offset && t.message.startsWith(want) ? null : `C: ${want}; TS: ${t.message}`;
}

/** A VcorePort that logs every access (and read value) as the C logging HAL prints it, forwarding to `inner`. */
export class LoggingPort implements VcorePort {
  readonly log: string[] = [];
  constructor(private readonly inner: VcorePort) {}
  progWrite(h: number, v: number) {
    this.log.push(`pw ${h} ${v}`);
    this.inner.progWrite(h, v);
  }
  kWrite(k: number, m: number) {
    this.log.push(`kw ${k} ${m}`);
    this.inner.kWrite(k, m);
  }
  clipTopWrite(k: number, top: number) {
    this.log.push(`ct ${k} ${top}`);
    this.inner.clipTopWrite(k, top);
  }
  parWrite(s: 0 | 1, v: number) {
    this.log.push(`par ${s} ${v}`);
    this.inner.parWrite(s, v);
  }
  bankWrite(b: number, w: number, v: number) {
    this.log.push(`bw ${b} ${w} ${v}`);
    this.inner.bankWrite(b, w, v);
  }
  bankRead(b: number, w: number) {
    const v = this.inner.bankRead(b, w);
    this.log.push(`br ${b} ${w} ${v}`);
    return v;
  }
  wWrite(a: number, v: number) {
    this.log.push(`ww ${a} ${v}`);
    this.inner.wWrite(a, v);
  }
  wRead(a: number) {
    const v = this.inner.wRead(a);
    this.log.push(`wr ${a} ${v}`);
    return v;
  }
  knotWrite(i: number, w: number) {
    this.log.push(`kn ${i} ${w}`);
    this.inner.knotWrite(i, w);
  }
  satWrite(v: number) {
    this.log.push(`sw ${v}`);
    this.inner.satWrite(v);
  }
  satRead() {
    const v = this.inner.satRead();
    this.log.push(`sr ${v}`);
    return v;
  }
  run(pc: number, learn: boolean) {
    this.log.push(`run ${pc} ${learn ? 1 : 0}`);
    this.inner.run(pc, learn);
  }
}

/** The values the reads of a log returned, in order (what the C harness answers its reads with). */
export const readValues = (log: string[]): string[] => log.filter((l) => /^(br|wr|sr) /.test(l)).map((l) => l.split(' ').at(-1)!);

/** The harness input for a driver run: the build, the read values (in lines of 4,000), the image, the script. */
export function driverInput(build: VcoreBuild, log: string[], image: Uint8Array, script: string[]): string[] {
  const vals = readValues(log);
  const lines = [buildLine(build)];
  for (let i = 0; i < vals.length; i += 4000) lines.push(`V ${vals.slice(i, i + 4000).join(' ')}`);
  return [...lines, `D ${hex(image)}`, ...script];
}
