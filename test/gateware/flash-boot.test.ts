import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../core/crc32.js';
import {
  checkFirmwareFlashImage,
  FIRMWARE_FLASH_OFFSET,
  FIRMWARE_HEADER_BYTES,
  FIRMWARE_MAX_BYTES,
  firmwareFlashImage,
  readFirmwareFile,
} from '../../host/fpga/firmware-image.js';
import { GATEWARE, REPO, hasRiscvGcc, hasVerilator, riscvPrefix } from './tools.js';
import { writeFirmwareFlashFile } from '../../host/fpga/ice40-build.js';

/**
 * Booting the soft CPU's firmware from the configuration SPI flash: host/fpga/firmware-image.ts builds
 * the image (magic, length, CRC-32, payload) and gateware/flash_boot.v reads it at power-up (0xAB wake-up,
 * tRES1, one READ 0x03 at 1 MiB) into the RAM as 16-bit words. Under Verilator, against
 * gateware/sim/spi_flash_model.v (strict SPI mode 0: CS framing, setup/hold, garbage outside the valid
 * window, powered down until 0xAB and deaf for tRES1 after it) in gateware/sim/flash_boot_tb.v: every RAM
 * word equals the payload, the bytes are read once and in order from the offset, and a bad magic, a bad
 * length or a bad CRC gives `error` and never `done`.
 */

/** A seeded generator (xorshift32) of bytes. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s & 0xff;
  };
}

/** n bytes holding every byte value (0..255 first, shuffled in place), then seeded random bytes. */
function firmware(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = i < 256 ? i : r();
  for (let i = Math.min(n, 256) - 1; i > 0; i--) {
    const j = (r() | (r() << 8)) % (i + 1);
    [b[i], b[j]] = [b[j]!, b[i]!];
  }
  return b;
}

describe('firmware flash image (host/fpga/firmware-image.ts)', () => {
  it('header: magic NLFW, even length, CRC-32 of the payload (little-endian); an odd firmware is padded with one zero', () => {
    const fw = firmware(1001, 7);
    const img = firmwareFlashImage(fw);
    expect(img.length).toBe(FIRMWARE_HEADER_BYTES + 1002);
    expect([...img.subarray(0, 4)]).toEqual([0x4e, 0x4c, 0x46, 0x57]);
    const v = new DataView(img.buffer);
    expect(v.getUint32(4, true)).toBe(1002);
    const padded = new Uint8Array(1002);
    padded.set(fw);
    expect(v.getUint32(8, true)).toBe(crc32(padded));
    expect([...img.subarray(12)]).toEqual([...padded]);
    expect(checkFirmwareFlashImage(img)).toEqual({ payload: padded });
    // the check value of CRC-32: "12345678" + "9" + one pad byte is not it, "123456789" + "0" padded is the CRC of 10 bytes
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('refuses an empty or too large firmware; the checker names a bad magic, length or CRC', () => {
    expect(() => firmwareFlashImage(new Uint8Array(0))).toThrow(/empty/);
    expect(() => firmwareFlashImage(new Uint8Array(FIRMWARE_MAX_BYTES + 1))).toThrow(/32769 bytes; the CPU's RAM .* holds 32768/);
    expect(firmwareFlashImage(new Uint8Array(FIRMWARE_MAX_BYTES)).length).toBe(FIRMWARE_MAX_BYTES + 12);
    const img = firmwareFlashImage(firmware(64, 3));
    const bad = (f: (b: Uint8Array, v: DataView) => void) => {
      const b = img.slice();
      f(b, new DataView(b.buffer));
      return checkFirmwareFlashImage(b);
    };
    expect(bad((b) => (b[0] = 0x4f))).toEqual({ error: 'bad magic' });
    expect(bad((b) => (b[20] = b[20]! ^ 1))).toEqual({ error: 'bad CRC' });
    expect(bad((_, v) => v.setUint32(8, v.getUint32(8, true) ^ 0x80000000, true))).toEqual({ error: 'bad CRC' });
    expect(bad((_, v) => v.setUint32(4, 0, true))).toMatchObject({ error: expect.stringMatching(/bad length 0/) });
    expect(bad((_, v) => v.setUint32(4, 63, true))).toMatchObject({ error: expect.stringMatching(/bad length 63/) });
    expect(bad((_, v) => v.setUint32(4, FIRMWARE_MAX_BYTES + 2, true))).toMatchObject({ error: expect.stringMatching(/bad length 32770/) });
    expect(checkFirmwareFlashImage(img.subarray(0, 40))).toMatchObject({ error: expect.stringMatching(/cut: 28 payload bytes of 64/) });
  });

  it('reads a raw binary, or a .hex of 16-bit or 32-bit little-endian words (every word kept)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nla-fwimg-'));
    const fw = firmware(20, 9);
    writeFileSync(join(dir, 'fw.bin'), fw);
    expect([...readFirmwareFile(join(dir, 'fw.bin'))]).toEqual([...fw]);
    const w16 = Array.from({ length: 10 }, (_, i) => (fw[2 * i]! | (fw[2 * i + 1]! << 8)).toString(16).padStart(4, '0'));
    writeFileSync(join(dir, 'fw16.hex'), [...w16, '0000', ''].join('\n'));
    expect([...readFirmwareFile(join(dir, 'fw16.hex'))]).toEqual([...fw, 0, 0]);
    const w32 = Array.from({ length: 5 }, (_, i) => new DataView(fw.buffer).getUint32(4 * i, true).toString(16).padStart(8, '0'));
    writeFileSync(join(dir, 'fw32.hex'), w32.join('\n') + '\n');
    expect([...readFirmwareFile(join(dir, 'fw32.hex'))]).toEqual([...fw]);
    writeFileSync(join(dir, 'bad.hex'), '12\n');
    expect(() => readFirmwareFile(join(dir, 'bad.hex'))).toThrow(/not a firmware .hex file/);
  });

  it("the offset and the largest payload are flash_boot.v's defaults", () => {
    const v = readFileSync(join(GATEWARE, 'flash_boot.v'), 'utf8');
    expect(Number.parseInt(/parameter \[23:0\] OFFSET = 24'h([0-9A-Fa-f]+)/.exec(v)![1]!, 16)).toBe(FIRMWARE_FLASH_OFFSET);
    expect(Number(/parameter MAX_BYTES = (\d+)/.exec(v)![1])).toBe(FIRMWARE_MAX_BYTES);
  });
});

const SOURCES = ['sim/flash_boot_tb.v', 'flash_boot.v', 'crc32.v', 'sim/spi_flash_model.v', 'sim/flash_boot_tb.cpp'];

/**
 * Verilates flash_boot_tb with the given parameters (cached under build/gateware/, keyed by the sources'
 * hash); `flashBoot` replaces the text of gateware/flash_boot.v (a mutant).
 */
function buildTb(params: Record<string, number> = {}, flashBoot?: string): string {
  const gs = Object.entries(params).map(([k, v]) => `-G${k}=${v}`);
  const h = createHash('sha256').update(spawnSync('verilator', ['--version'], { encoding: 'utf8' }).stdout).update(gs.join(' '));
  const text = (f: string) => (f === 'flash_boot.v' && flashBoot !== undefined ? flashBoot : readFileSync(join(GATEWARE, f), 'utf8'));
  for (const f of SOURCES) h.update(f).update(text(f));
  const dir = join(REPO, 'build', 'gateware', `flash-boot-tb-${h.digest('hex').slice(0, 16)}`);
  const bin = join(dir, 'flash_boot_tb');
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const files = SOURCES.map((f) => (f === 'flash_boot.v' && flashBoot !== undefined ? join(tmp, 'flash_boot.v') : join(GATEWARE, f)));
  if (flashBoot !== undefined) writeFileSync(join(tmp, 'flash_boot.v'), flashBoot);
  const r = spawnSync('verilator', ['--cc', '--exe', '--build', '-j', '2', '-O2', '-Wall', ...(flashBoot !== undefined ? ['-Wno-fatal'] : []), '--top-module', 'flash_boot_tb', ...gs,
    `-I${GATEWARE}`, `-I${join(GATEWARE, 'sim')}`, ...files, '--Mdir', join(tmp, 'obj'), '-o', join(tmp, 'flash_boot_tb')],
    { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0 || !existsSync(join(tmp, 'flash_boot_tb'))) throw new Error(`verilator failed on flash_boot_tb: ${(r.stderr || r.stdout).slice(-4000)}`);
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

/** flash_boot.v with each `from` (which must be there, once) replaced by its `to`. */
function mutant(...edits: [string, string][]): string {
  let v = readFileSync(join(GATEWARE, 'flash_boot.v'), 'utf8');
  for (const [from, to] of edits) {
    expect(v.split(from).length, `flash_boot.v no longer holds: ${from}`).toBe(2);
    v = v.replace(from, to);
  }
  return v;
}

interface Boot {
  done: boolean;
  error: boolean;
  cycles: number;
  protocolErrors: number;
  reads: number;
  readAddr: number;
  bytesRead: number;
  writes: number;
  outOfOrder: number;
  doneAndError: boolean;
  poweredDown: boolean;
  words: number[];
  log: string;
}

/** Runs the testbench with `image` at `at` in the flash (and `junk` random bytes before and after it); returns the summary and the first `nwords` RAM words. */
function boot(bin: string, image: Uint8Array, nwords: number, at = FIRMWARE_FLASH_OFFSET, junk = 256): Boot {
  const dir = mkdtempSync(join(tmpdir(), 'nla-flashboot-'));
  const r = rng(0x5eed);
  const hex = (b: number) => b.toString(16).padStart(2, '0');
  const lines = [`@${(at - junk).toString(16)}`];
  for (let i = 0; i < junk; i++) lines.push(hex(r()));
  for (const b of image) lines.push(hex(b));
  for (let i = 0; i < junk; i++) lines.push(hex(r()));
  writeFileSync(join(dir, 'flash.hex'), lines.join('\n') + '\n');
  const out = join(dir, 'out.txt');
  const p = spawnSync(bin, [`+flash=${join(dir, 'flash.hex')}`, `+out=${out}`, `+nwords=${nwords}`, '+max_cycles=3000000'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (p.status !== 0) throw new Error(`flash_boot_tb failed (${p.status}): ${p.stdout}${p.stderr}`);
  const text = readFileSync(out, 'utf8').trim().split('\n');
  rmSync(dir, { recursive: true, force: true });
  expect(text[text.length - 1]).toBe('END');
  const f = text[0]!.split(' ');
  expect(f[0]).toBe('R');
  return {
    done: f[1] === '1',
    error: f[2] === '1',
    cycles: Number(f[3]),
    protocolErrors: Number(f[4]),
    reads: Number(f[5]),
    readAddr: parseInt(f[6]!, 16),
    bytesRead: Number(f[7]),
    writes: Number(f[8]),
    outOfOrder: Number(f[9]),
    doneAndError: f[10] === '1',
    poweredDown: f[11] === '1',
    words: text.slice(1, 1 + nwords).map((w) => parseInt(w, 16)),
    log: p.stdout,
  };
}

/** The payload as the RAM's 16-bit little-endian words. */
function words(payload: Uint8Array): number[] {
  return Array.from({ length: payload.length / 2 }, (_, i) => payload[2 * i]! | (payload[2 * i + 1]! << 8));
}

/** A good boot of `fw`: done, no error, no protocol error, one READ at the offset of exactly the image, every word equal. */
function expectBooted(b: Boot, fw: Uint8Array): void {
  const payload = (checkFirmwareFlashImage(firmwareFlashImage(fw)) as { payload: Uint8Array }).payload;
  expect(b.log).not.toMatch(/spi_flash_model/);
  expect(b.protocolErrors).toBe(0);
  expect([b.done, b.error, b.doneAndError]).toEqual([true, false, false]);
  expect(b.poweredDown).toBe(false);
  expect(b.reads).toBe(1);
  expect(b.readAddr).toBe(FIRMWARE_FLASH_OFFSET);
  expect(b.bytesRead).toBe(FIRMWARE_HEADER_BYTES + payload.length);
  expect(b.writes).toBe(payload.length / 2);
  expect(b.outOfOrder).toBe(0);
  const want = words(payload);
  // every word, then the first word after the payload still unwritten
  expect(b.words.slice(0, want.length)).toEqual(want);
  if (b.words.length > want.length) expect(b.words[want.length]).toBe(0xdead);
}

/** A refused image: error, never done, no protocol error, at most `maxWrites` RAM writes, the read stopped after `bytesRead` bytes. */
function expectRefused(b: Boot, bytesRead: number, maxWrites = 0): void {
  expect(b.log).not.toMatch(/spi_flash_model/);
  expect(b.protocolErrors).toBe(0);
  expect([b.done, b.error, b.doneAndError]).toEqual([false, true, false]);
  expect(b.reads).toBe(1);
  expect(b.readAddr).toBe(FIRMWARE_FLASH_OFFSET);
  expect(b.bytesRead).toBe(bytesRead);
  expect(b.writes).toBeLessThanOrEqual(maxWrites);
}

describe.skipIf(!hasVerilator)('flash_boot under Verilator against the SPI flash model', () => {
  it('boots a 16 KiB random image holding every byte value: every RAM word equal, read once in order from 1 MiB; boot time at 12 MHz', () => {
    const bin = buildTb();
    const fw = firmware(16384, 1);
    expect(new Set(fw).size).toBe(256);
    const b = boot(bin, firmwareFlashImage(fw), 8192 + 1);
    expectBooted(b, fw);
    // 16 cycles a byte at SCK_DIV 1 (0xAB, 0x03 + address, header, payload) and the 48-cycle tRES1 wait
    expect(b.cycles).toBeGreaterThanOrEqual(16 * (1 + 4 + 12 + 16384) + 48);
    expect(b.cycles).toBeLessThan(16 * (1 + 4 + 12 + 16384) + 48 + 20);
    process.stdout.write(`flash_boot: 16 KiB image booted in ${b.cycles} cycles = ${(b.cycles / 12e3).toFixed(2)} ms at 12 MHz (SCK 6 MHz)\n`);
    // an odd-length firmware (padded with a zero) and the largest one
    const odd = firmware(1001, 2);
    expectBooted(boot(bin, firmwareFlashImage(odd), 502), odd);
    const big = firmware(FIRMWARE_MAX_BYTES, 4);
    expectBooted(boot(bin, firmwareFlashImage(big), 16384), big);
  }, 120_000);

  it("boots the committed firmware of board_top's core (cpulink_vcore.hex on the vector-core board, what `nla fpga build` packs): every word equal", () => {
    const bin = buildTb();
    const vcore = /parameter\s+VCORE\s*=\s*1\b/.test(readFileSync(join(GATEWARE, 'board_top.v'), 'utf8'));
    const hex = join(GATEWARE, 'firmware', vcore ? 'cpulink_vcore.hex' : 'cpulink_board.hex');
    const fw = readFirmwareFile(hex);
    expect(fw.length).toBeLessThanOrEqual(FIRMWARE_MAX_BYTES);
    // the image `nla fpga build` writes beside the bitstream is this one
    const out = mkdtempSync(join(tmpdir(), 'nla-flashboot-fw-'));
    const f = writeFirmwareFlashFile('board_top', out)!;
    expect(f.firmware).toBe(hex);
    const image = new Uint8Array(readFileSync(f.image));
    const b = boot(bin, image, fw.length / 2 + 1);
    expectBooted(b, fw);
    process.stdout.write(`flash_boot: ${hex} (${fw.length} B) booted in ${b.cycles} cycles = ${(b.cycles / 12e3).toFixed(2)} ms at 12 MHz\n`);
    rmSync(out, { recursive: true, force: true });
  }, 120_000);

  it('a bad CRC, a bad magic, a length too long, zero or odd, or an erased flash: error and never done', () => {
    const bin = buildTb();
    const fw = firmware(2048, 5);
    const img = firmwareFlashImage(fw);
    const variant = (f: (b: Uint8Array, v: DataView) => void) => {
      const b = img.slice();
      f(b, new DataView(b.buffer));
      return b;
    };
    // CRC: the whole payload is read (and written: the CPU stays in reset), then refused
    const crcField = variant((_, v) => v.setUint32(8, v.getUint32(8, true) ^ 1, true));
    expect(checkFirmwareFlashImage(crcField)).toEqual({ error: 'bad CRC' });
    expectRefused(boot(bin, crcField, 0), 12 + 2048, 1024);
    const payloadBit = variant((b) => (b[12 + 1500] = b[12 + 1500]! ^ 0x10));
    expectRefused(boot(bin, payloadBit, 0), 12 + 2048, 1024);
    // magic: the read stops after the 4 magic bytes, nothing written
    for (const k of [0, 3]) expectRefused(boot(bin, variant((b) => (b[k] = b[k]! ^ 0x01)), 0), 4);
    // length: stops after the 8 header bytes of magic and length, nothing written
    for (const len of [FIRMWARE_MAX_BYTES + 2, 0x80000000 + 2048, 0, 2047]) {
      const bad = variant((_, v) => v.setUint32(4, len, true));
      expect(checkFirmwareFlashImage(bad)).toMatchObject({ error: expect.stringMatching(/bad length/) });
      expectRefused(boot(bin, bad, 0), 8);
    }
    // nothing there (erased: 0xFF)
    expectRefused(boot(bin, new Uint8Array(0), 0, FIRMWARE_FLASH_OFFSET, 0), 4);
  }, 120_000);

  it('the model is strict: a wait after 0xAB shorter than tRES1 is a protocol error, the READ is ignored (0xFF) and flash_boot fails; a slower SCK, or a flash already awake, boots the same words', () => {
    const fw = firmware(600, 6);
    const short = boot(buildTb({ WAKE_CYCLES: 10 }), firmwareFlashImage(fw), 0);
    expect(short.protocolErrors).toBeGreaterThan(0);
    expect(short.log).toMatch(/after RELEASE POWER-DOWN \(tRES1 is 36\): ignored/);
    expect([short.done, short.error, short.reads, short.writes]).toEqual([false, true, 0, 0]);
    const slow = boot(buildTb({ SCK_DIV: 3 }), firmwareFlashImage(fw), 301);
    expectBooted(slow, fw);
    // a flash already awake (icepack -s leaves out the final power-down): 0xAB is harmless
    expectBooted(boot(buildTb({ FLASH_START_DOWN: 0 }), firmwareFlashImage(fw), 301), fw);
  }, 120_000);

  it.skipIf(!hasRiscvGcc)('boots the real cpu_link firmware (rv32/cpulink.ld, as test/gateware/cpu-session-tb.ts builds it) from its flash image', () => {
    const fwDir = join(GATEWARE, 'firmware');
    const dir = mkdtempSync(join(tmpdir(), 'nla-flashboot-fw-'));
    const sources = ['rv32/hal_cpulink.c', 'fw.c', 'link.c', 'session.c', 'history.c', 'rto.c'].map((f) => join(fwDir, f));
    const cc = spawnSync(`${riscvPrefix}-gcc`, ['-march=rv32i', '-mabi=ilp32', '-Os', '-ffreestanding', '-nostdlib', '-std=c99', '-Wall', '-Werror',
      '-Wl,--no-warn-rwx-segments', '-T', join(fwDir, 'rv32/cpulink.ld'), '-o', join(dir, 'fw.elf'), ...sources, '-lgcc'], { encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    const oc = spawnSync(`${riscvPrefix}-objcopy`, ['-O', 'binary', join(dir, 'fw.elf'), join(dir, 'fw.bin')], { encoding: 'utf8' });
    expect(oc.status, oc.stderr).toBe(0);
    const fw = readFirmwareFile(join(dir, 'fw.bin'));
    rmSync(dir, { recursive: true, force: true });
    expect(fw.length).toBeGreaterThan(8000);
    const b = boot(buildTb(), firmwareFlashImage(fw), (fw.length + (fw.length & 1)) / 2 + 1);
    expectBooted(b, fw);
    process.stdout.write(`flash_boot: the cpu_link firmware (${fw.length} bytes) booted in ${b.cycles} cycles = ${(b.cycles / 12e3).toFixed(2)} ms at 12 MHz\n`);
  }, 120_000);

  it('the model catches a master breaking SPI mode 0 (three mutants of flash_boot.v): none of them boots', () => {
    const fw = firmware(600, 8);
    const img = firmwareFlashImage(fw);
    // the next bit put on MOSI with the rising edge instead of the falling one (no setup time)
    const next = "          spi_mosi <= (cmd_left != 3'd0) && cmd_word[cmd_idx];\n";
    const setup = boot(buildTb({}, mutant([next, ''], ["          spi_sck <= 1'b1;\n", "          spi_sck <= 1'b1;\n" + next.replace('cmd_idx]', "cmd_idx - 5'd1]")])), img, 0);
    expect(setup.log).toMatch(/MOSI changed with the rising SCK edge/);
    expect(setup.protocolErrors).toBeGreaterThan(0);
    expect(setup.done).toBe(false);
    // MISO sampled at the falling edge: the model drives garbage while SCK is high
    const late = boot(buildTb({}, mutant(["          si <= byte_in[6:0];\n", ''], ["          spi_sck <= 1'b0;\n", "          spi_sck <= 1'b0;\n          si <= byte_in[6:0];\n"])), img, 0);
    expect([late.done, late.error]).toEqual([false, true]);
    // CS raised with SCK (the wake-up frame ended at its last rising edge)
    const cs = boot(buildTb({}, mutant(["if (!rd) stop <= 1'b1;", "if (!rd) begin stop <= 1'b1; spi_csn <= 1'b1; end"])), img, 0);
    expect(cs.log).toMatch(/CS rose with SCK high/);
    expect(cs.done).toBe(false);
  }, 300_000);
});
