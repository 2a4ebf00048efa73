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
import { GATEWARE, REPO, hasRiscvGcc, hasVerilator } from './tools.js';
import { writeFirmwareFlashFile } from '../../host/fpga/ice40-build.js';

/**
 * Booting the soft CPU's firmware from the configuration SPI flash: host/fpga/firmware-image.ts builds the image
 * (magic, length, CRC-32, payload) and cpu_link's boot ROM (gateware/firmware/rv32/boot_rom.S in cpu_link_rom's EBR,
 * where the processor starts with BOOT_ROM = 1) reads it at power-up (0xAB wake-up, tRES1, one READ 0x03 at 1 MiB)
 * into the SPRAM a byte at a time, checks its CRC and jumps to it. Under Verilator, cpu_link (the processor, the
 * SPRAM, the ROM, the BOOT_IO pins) against gateware/sim/spi_flash_model.v (strict SPI mode 0: CS framing,
 * setup/hold, garbage outside the valid window, powered down until 0xAB and deaf for tRES1 after it) in
 * gateware/sim/boot_rom_tb.v: every SPRAM word equals the payload, stored once and in order, the bytes are read
 * once and in order from the offset, the processor fetches address 0 after the green LED; a bad magic, a bad length
 * or a bad CRC lights the red LED and never the green one. Mutants of the ROM's code that break SPI mode 0 or skip
 * tRES1 fail against the model.
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

  it("the offset and the largest payload are the boot ROM's (boot_rom.S OFFSET, MAX_BYTES)", () => {
    const asm = readFileSync(join(ROM_SOURCE), 'utf8');
    expect(Number(/\.equ OFFSET, (0x[0-9A-Fa-f]+)/.exec(asm)![1])).toBe(FIRMWARE_FLASH_OFFSET);
    expect(Number(/\.equ MAX_BYTES, (\d+)/.exec(asm)![1])).toBe(FIRMWARE_MAX_BYTES);
  });
});

const ROM_SOURCE = join(GATEWARE, 'firmware', 'rv32', 'boot_rom.S');

describe('the boot ROM image (gateware/cpu_link_rom.vh)', () => {
  it.skipIf(!hasRiscvGcc)('rebuilding it from boot_rom.S gives the committed text, at most 256 words of 16 bits', () => {
    const out = mkdtempSync(join(tmpdir(), 'nla-bootrom-'));
    const r = spawnSync('make', ['-s', '-C', join(GATEWARE, 'firmware'), 'boot-rom', `OUT=${out}`], { encoding: 'utf8' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const built = readFileSync(join(out, 'cpu_link_rom.vh'), 'utf8');
    rmSync(out, { recursive: true, force: true });
    const committed = readFileSync(join(GATEWARE, 'cpu_link_rom.vh'), 'utf8');
    expect(built === committed, 'gateware/cpu_link_rom.vh is stale: run make -C gateware/firmware install-boot-rom and commit it').toBe(true);
    const words = committed.split('\n').filter((l) => l.startsWith('rom['));
    expect(words.length).toBeGreaterThan(50);
    expect(words.length).toBeLessThanOrEqual(256);
    words.forEach((w, i) => expect(w).toMatch(new RegExp(`^rom\\[${i}\\] = 16'h[0-9a-f]{4};$`)));
  });
});

/** cpu_link and what it needs, the testbench, the flash model (the hash of the cached model). */
const SOURCES = ['sim/boot_rom_tb.v', 'sim/boot_rom_tb.cpp', 'sim/spi_flash_model.v', 'cpu_link.v', 'cpu_link_rom.v', 'cpu_link_rom.vh', 'cpu_link_ram.v',
  'cpu_link_rx.v', 'cpu_link_tx.v', 'cpu_link_coreio.v', 'ms_clock.v', 'cpu/rv32_core.v', 'cpu/rv32_regfile.v'];

/** boot_rom.S with each `from` (which must be there, once) replaced by its `to`. */
function mutant(...edits: [string, string][]): string {
  let v = readFileSync(ROM_SOURCE, 'utf8');
  for (const [from, to] of edits) {
    expect(v.split(from).length, `boot_rom.S no longer holds: ${from}`).toBe(2);
    v = v.replace(from, to);
  }
  return v;
}

/** The ROM's contents (cpu_link_rom.vh's text) assembled from `asm` (a mutant of boot_rom.S) with the Makefile's rule. */
function assemble(asm: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nla-bootrom-mut-'));
  mkdirSync(join(dir, 'rv32'));
  writeFileSync(join(dir, 'rv32', 'boot_rom.S'), asm);
  writeFileSync(join(dir, 'Makefile'), readFileSync(join(GATEWARE, 'firmware', 'Makefile')));
  const r = spawnSync('make', ['-s', '-C', dir, 'boot-rom', `OUT=${join(dir, 'out')}`], { encoding: 'utf8' });
  expect(r.status, r.stderr + r.stdout).toBe(0);
  const vh = readFileSync(join(dir, 'out', 'cpu_link_rom.vh'), 'utf8');
  rmSync(dir, { recursive: true, force: true });
  return vh;
}

/**
 * Verilates boot_rom_tb with the given parameters (cached under build/gateware/, keyed by the sources' hash); `romVh`
 * replaces the ROM's contents (a mutant's, from `assemble`).
 */
function buildTb(params: Record<string, number> = {}, romVh?: string): string {
  const gs = Object.entries(params).map(([k, v]) => `-G${k}=${v}`);
  const h = createHash('sha256').update(spawnSync('verilator', ['--version'], { encoding: 'utf8' }).stdout).update(gs.join(' '));
  for (const f of SOURCES) h.update(f).update(f === 'cpu_link_rom.vh' && romVh !== undefined ? romVh : readFileSync(join(GATEWARE, f)));
  const dir = join(REPO, 'build', 'gateware', `boot-rom-tb-${h.digest('hex').slice(0, 16)}`);
  const bin = join(dir, 'boot_rom_tb');
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  // a mutant's ROM: cpu_link_rom.v given as a file of its own, including the mutant's contents (rom.vh, found in tmp)
  const rom: string[] = [];
  if (romVh !== undefined) {
    writeFileSync(join(tmp, 'rom.vh'), romVh);
    const v = readFileSync(join(GATEWARE, 'cpu_link_rom.v'), 'utf8');
    expect(v.split('`include "cpu_link_rom.vh"').length).toBe(2);
    writeFileSync(join(tmp, 'cpu_link_rom.v'), v.replace('`include "cpu_link_rom.vh"', '`include "rom.vh"'));
    rom.push(`-I${tmp}`, join(tmp, 'cpu_link_rom.v'));
  }
  const r = spawnSync('verilator', ['--cc', '--exe', '--build', '-j', '2', '-O2', '-Wall', '--top-module', 'boot_rom_tb', ...gs,
    `-I${GATEWARE}`, `-I${join(GATEWARE, 'sim')}`, `-y`, GATEWARE, '-y', join(GATEWARE, 'cpu'), '-y', join(GATEWARE, 'sim'),
    join(GATEWARE, 'sim', 'boot_rom_tb.v'), ...rom, join(GATEWARE, 'sim', 'boot_rom_tb.cpp'), '--Mdir', join(tmp, 'obj'), '-o', join(tmp, 'boot_rom_tb')],
    { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0 || !existsSync(join(tmp, 'boot_rom_tb'))) throw new Error(`verilator failed on boot_rom_tb: ${(r.stderr || r.stdout).slice(-4000)}`);
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

interface Boot {
  green: boolean;
  red: boolean;
  cycles: number;
  protocolErrors: number;
  reads: number;
  readAddr: number;
  bytesRead: number;
  stores: number;
  outOfOrder: number;
  bothLeds: boolean;
  poweredDown: boolean;
  fetchedZero: boolean;
  romStores: number;
  pinsIdle: boolean;
  words: number[];
  log: string;
}

/** Runs the testbench with `image` at `at` in the flash (and `junk` random bytes before and after it); returns the summary and the first `nwords` SPRAM words. */
function boot(bin: string, image: Uint8Array, nwords: number, at = FIRMWARE_FLASH_OFFSET, junk = 256): Boot {
  const dir = mkdtempSync(join(tmpdir(), 'nla-bootrom-'));
  const r = rng(0x5eed);
  const hex = (b: number) => b.toString(16).padStart(2, '0');
  const lines = [`@${(at - junk).toString(16)}`];
  for (let i = 0; i < junk; i++) lines.push(hex(r()));
  for (const b of image) lines.push(hex(b));
  for (let i = 0; i < junk; i++) lines.push(hex(r()));
  writeFileSync(join(dir, 'flash.hex'), lines.join('\n') + '\n');
  const out = join(dir, 'out.txt');
  const p = spawnSync(bin, [`+flash=${join(dir, 'flash.hex')}`, `+out=${out}`, `+nwords=${nwords}`, '+max_cycles=40000000'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (p.status !== 0) throw new Error(`boot_rom_tb failed (${p.status}): ${p.stdout}${p.stderr}`);
  const text = readFileSync(out, 'utf8').trim().split('\n');
  rmSync(dir, { recursive: true, force: true });
  expect(text[text.length - 1]).toBe('END');
  const f = text[0]!.split(' ');
  expect(f[0]).toBe('R');
  return {
    green: f[1] === '1',
    red: f[2] === '1',
    cycles: Number(f[3]),
    protocolErrors: Number(f[4]),
    reads: Number(f[5]),
    readAddr: parseInt(f[6]!, 16),
    bytesRead: Number(f[7]),
    stores: Number(f[8]),
    outOfOrder: Number(f[9]),
    bothLeds: f[10] === '1',
    poweredDown: f[11] === '1',
    fetchedZero: f[12] === '1',
    romStores: Number(f[13]),
    pinsIdle: f[14] === '1',
    words: text.slice(1, 1 + nwords).map((w) => parseInt(w, 16)),
    log: p.stdout,
  };
}

/** The payload as the SPRAM's 16-bit little-endian words. */
function words(payload: Uint8Array): number[] {
  return Array.from({ length: payload.length / 2 }, (_, i) => payload[2 * i]! | (payload[2 * i + 1]! << 8));
}

/** A good boot of `fw`: green, no red, no protocol error, one READ at the offset of exactly the image, every word equal, address 0 fetched next. */
function expectBooted(b: Boot, fw: Uint8Array): void {
  const payload = (checkFirmwareFlashImage(firmwareFlashImage(fw)) as { payload: Uint8Array }).payload;
  expect(b.log).not.toMatch(/spi_flash_model/);
  expect(b.protocolErrors).toBe(0);
  expect([b.green, b.red, b.bothLeds]).toEqual([true, false, false]);
  expect(b.poweredDown).toBe(false);
  expect(b.reads).toBe(1);
  expect(b.readAddr).toBe(FIRMWARE_FLASH_OFFSET);
  expect(b.bytesRead).toBe(FIRMWARE_HEADER_BYTES + payload.length);
  expect(b.stores).toBe(payload.length);
  expect(b.outOfOrder).toBe(0);
  expect(b.romStores).toBe(0);
  expect(b.fetchedZero).toBe(true);
  expect(b.pinsIdle).toBe(true);
  const want = words(payload);
  // every word, then the first word after the payload still unwritten
  expect(b.words.slice(0, want.length)).toEqual(want);
  if (b.words.length > want.length) expect(b.words[want.length]).toBe(0xdead);
}

/** A refused image: red, never green, no protocol error, at most `maxStores` SPRAM stores, the read stopped after `bytesRead` bytes. */
function expectRefused(b: Boot, bytesRead: number, maxStores = 0): void {
  expect(b.log).not.toMatch(/spi_flash_model/);
  expect(b.protocolErrors).toBe(0);
  expect([b.green, b.red, b.bothLeds]).toEqual([false, true, false]);
  expect(b.reads).toBe(1);
  expect(b.readAddr).toBe(FIRMWARE_FLASH_OFFSET);
  expect(b.bytesRead).toBe(bytesRead);
  expect(b.stores).toBeLessThanOrEqual(maxStores);
  expect(b.pinsIdle).toBe(true);
}

describe.skipIf(!hasVerilator)('the boot ROM on cpu_link under Verilator against the SPI flash model', () => {
  it('boots a 16 KiB random image holding every byte value: every SPRAM word equal, read once in order from 1 MiB; boot time at 12 MHz', () => {
    const bin = buildTb();
    const fw = firmware(16384, 1);
    expect(new Set(fw).size).toBe(256);
    const b = boot(bin, firmwareFlashImage(fw), 8192 + 1);
    expectBooted(b, fw);
    // bit-banged: each bit is two stores and a load on the I/O bus; the CRC a nibble at a time (ROM_CYCLES_PER_BYTE
    // of flash-board.test.ts is this rate's ceiling)
    const perByte = b.cycles / (12 + 16384);
    expect(perByte).toBeGreaterThan(400);
    expect(perByte).toBeLessThan(490);
    process.stdout.write(`boot ROM: 16 KiB image booted in ${b.cycles} cycles = ${(b.cycles / 12e3).toFixed(1)} ms at 12 MHz (${perByte.toFixed(1)} cycles a byte)\n`);
    // an odd-length firmware (padded with a zero) and the largest one (the whole SPRAM)
    const odd = firmware(1001, 2);
    expectBooted(boot(bin, firmwareFlashImage(odd), 502), odd);
    const big = firmware(FIRMWARE_MAX_BYTES, 4);
    expectBooted(boot(bin, firmwareFlashImage(big), 16384), big);
  }, 300_000);

  it("boots the committed firmware of board_top's core (cpulink_vcore.hex on the vector-core board, what `nla fpga build` packs): every word equal", () => {
    const bin = buildTb();
    const vcore = /parameter\s+VCORE\s*=\s*1\b/.test(readFileSync(join(GATEWARE, 'board_top.v'), 'utf8'));
    const hex = join(GATEWARE, 'firmware', vcore ? 'cpulink_vcore.hex' : 'cpulink_board.hex');
    const fw = readFirmwareFile(hex);
    expect(fw.length).toBeLessThanOrEqual(FIRMWARE_MAX_BYTES);
    // the image `nla fpga build` writes beside the bitstream is this one
    const out = mkdtempSync(join(tmpdir(), 'nla-bootrom-fw-'));
    const f = writeFirmwareFlashFile('board_top', out)!;
    expect(f.firmware).toBe(hex);
    const image = new Uint8Array(readFileSync(f.image));
    const b = boot(bin, image, fw.length / 2 + 1);
    expectBooted(b, fw);
    process.stdout.write(`boot ROM: ${hex} (${fw.length} B) booted in ${b.cycles} cycles = ${(b.cycles / 12e3).toFixed(1)} ms at 12 MHz\n`);
    rmSync(out, { recursive: true, force: true });
  }, 300_000);

  it('a bad CRC, a bad magic, a length too long, zero or odd, or an erased flash: red and never green', () => {
    const bin = buildTb();
    const fw = firmware(2048, 5);
    const img = firmwareFlashImage(fw);
    const variant = (f: (b: Uint8Array, v: DataView) => void) => {
      const b = img.slice();
      f(b, new DataView(b.buffer));
      return b;
    };
    // CRC: the whole payload is read (and stored: it is found bad after it), then refused
    const crcField = variant((_, v) => v.setUint32(8, v.getUint32(8, true) ^ 1, true));
    expect(checkFirmwareFlashImage(crcField)).toEqual({ error: 'bad CRC' });
    expectRefused(boot(bin, crcField, 0), 12 + 2048, 2048);
    const crcTop = variant((_, v) => v.setUint32(8, v.getUint32(8, true) ^ 0x80000000, true));
    expectRefused(boot(bin, crcTop, 0), 12 + 2048, 2048);
    const payloadBit = variant((b) => (b[12 + 1500] = b[12 + 1500]! ^ 0x10));
    expectRefused(boot(bin, payloadBit, 0), 12 + 2048, 2048);
    // magic: the read stops after the 4 magic bytes, nothing stored
    for (const k of [0, 3]) expectRefused(boot(bin, variant((b) => (b[k] = b[k]! ^ 0x01)), 0), 4);
    // length: stops after the 8 header bytes of magic and length, nothing stored
    for (const len of [FIRMWARE_MAX_BYTES + 2, 0x80000000 + 2048, 0, 2047]) {
      const bad = variant((_, v) => v.setUint32(4, len, true));
      expect(checkFirmwareFlashImage(bad)).toMatchObject({ error: expect.stringMatching(/bad length/) });
      expectRefused(boot(bin, bad, 0), 8);
    }
    // nothing there (erased: 0xFF)
    expectRefused(boot(bin, new Uint8Array(0), 0, FIRMWARE_FLASH_OFFSET, 0), 4);
  }, 300_000);

  it.skipIf(!hasRiscvGcc)('the model is strict: a ROM that skips the tRES1 wait is refused (the READ ignored, 0xFF) and lights red; a flash already awake boots the same words', () => {
    const fw = firmware(600, 6);
    const img = firmwareFlashImage(fw);
    const noWait = assemble(mutant(['        li    t0, 12                /* tRES1', '        li    t0, 1                /* tRES1']));
    const short = boot(buildTb({}, noWait), img, 0);
    expect(short.protocolErrors).toBeGreaterThan(0);
    expect(short.log).toMatch(/after RELEASE POWER-DOWN \(tRES1 is 36\): ignored/);
    expect([short.green, short.red, short.reads, short.stores]).toEqual([false, true, 0, 0]);
    // a flash already awake (icepack -s leaves out the final power-down): 0xAB is harmless
    expectBooted(boot(buildTb({ FLASH_START_DOWN: 0 }), img, 301), fw);
  }, 300_000);

  it.skipIf(!hasRiscvGcc)('the model catches a ROM breaking SPI mode 0 (three mutants of boot_rom.S): each is reported, a late MISO never boots', () => {
    const fw = firmware(600, 8);
    const img = firmwareFlashImage(fw);
    // the next bit put on MOSI with the rising edge (SCK lowered with MOSI 0 first): no setup time
    const setup = boot(buildTb({}, assemble(mutant(['1:      andi  t0, a0, MOSI          /* SCK low, CS low, MOSI = the next bit */\n        sw    t0, BOOT_IO(s0)',
      '1:      andi  t0, a0, MOSI          /* SCK low, CS low, MOSI = the next bit */\n        sw    zero, BOOT_IO(s0)']))), img, 0);
    expect(setup.log).toMatch(/MOSI changed with the rising SCK edge/);
    expect(setup.protocolErrors).toBeGreaterThan(0);   // (the model still takes the bit: a real flash might not)
    // MISO read after the rising edge: the model drives garbage while SCK is high
    const late = boot(buildTb({}, assemble(mutant(['        lw    t1, BOOT_IO(s0)       /* MISO, valid from the falling edge */\n', ''],
      ['        sw    t0, BOOT_IO(s0)       /* SCK high: the flash samples MOSI */\n', '        sw    t0, BOOT_IO(s0)       /* SCK high: the flash samples MOSI */\n        lw    t1, BOOT_IO(s0)\n']))), img, 0);
    expect([late.green, late.red]).toEqual([false, true]);
    // CS raised with SCK high (the wake-up frame ended at its last rising edge)
    const cs = boot(buildTb({}, assemble(mutant(['        jal   xfer\n        sw    zero, BOOT_IO(s0)     /* SCK low, then CS high */\n', '        jal   xfer\n']))), img, 0);
    expect(cs.log).toMatch(/CS rose with SCK high/);
    expect(cs.protocolErrors).toBeGreaterThan(0);
  }, 600_000);
});
