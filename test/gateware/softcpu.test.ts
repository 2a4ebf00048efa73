import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32 } from '../../core/crc32.js';
// @ts-expect-error -- a plain .mjs build script (no declarations)
import { buildFirmware } from '../../gateware/cpu/build-firmware.mjs';
import { cobsDecode, cobsEncode } from '../../host/protocol/cobs.js';
import { GATEWARE, REPO, hasRiscvGcc, hasVerilator } from './tools.js';

/**
 * The soft processor (gateware/cpu: rv32_core, a multi-cycle RV32I for the iCE40 UP5K) in its
 * measurement SoC (rv32_soc) under Verilator (gateware/sim/softcpu_tb.cpp), with firmware built by
 * Debian's riscv64-unknown-elf-gcc (gateware/cpu/build-firmware.mjs):
 *  (a) an instruction test exercising every RV32I instruction whose signature (the words written to
 *      the mark port) equals the instructions' semantics computed here in TypeScript;
 *  (b) firmware computing CRC-32 (256- and 16-word tables, bitwise) and the COBS encoding of blocks fed through
 *      the receive port, equal to core/crc32.ts and host/protocol/cobs.ts on every byte value and on
 *      seeded random blocks; prints cycles per instruction and per byte;
 *  (c) firmware receiving COBS blocks as a stream (decode, CRC-32, store; malformed blocks refused) and
 *      framing payloads (CRC-32, COBS, delimiter) as frame.ts does after its header, equal to cobs.ts
 *      and crc32.ts; prints cycles per line byte against the 130 a byte lasts at 921,600 baud and 12 MHz.
 * For six SoCs: serial shifter stepping 1, 4 or 8 bits; memory in EBR or one SPRAM; with and without
 * the CRC-32 port. Lint: verilator --lint-only -Wall on the modules and the synthesis wrapper.
 */
const CPU = join(GATEWARE, 'cpu');
const MODULES = ['rv32_regfile', 'rv32_core', 'rv32_ram', 'rv32_spram', 'rv32_soc'];
/** The SoCs tested: shifter step, program/data memory in EBR (8 KB) or in one SPRAM (32 KB, 16 bits wide), CRC-32 port (gateware/crc32.v). */
const CONFIGS = [
  { shiftStep: 1, spram: 0, crcPort: 0 },
  { shiftStep: 4, spram: 0, crcPort: 0 },
  { shiftStep: 8, spram: 0, crcPort: 0 },
  { shiftStep: 8, spram: 1, crcPort: 0 },
  { shiftStep: 8, spram: 0, crcPort: 1 },
  { shiftStep: 8, spram: 1, crcPort: 1 },
];
const ramBytes = (spram: number) => (spram ? 32768 : 8192);

function verilateSoc(shiftStep: number, spram: number, crcPort: number): string {
  const tb = join(GATEWARE, 'sim', 'softcpu_tb.cpp');
  const files = [...MODULES.map((m) => join(CPU, `${m}.v`)), join(GATEWARE, 'crc32.v'), tb];
  const h = createHash('sha256').update(spawnSync('verilator', ['--version'], { encoding: 'utf8' }).stdout).update(`SHIFT_STEP=${shiftStep} SPRAM=${spram} CRC_PORT=${crcPort}`);
  for (const f of files) h.update(f).update(readFileSync(f));
  const dir = join(REPO, 'build', 'softcpu', 'verilator', h.digest('hex').slice(0, 16));
  const bin = join(dir, 'softcpu_tb');
  if (existsSync(bin)) return bin;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const r = spawnSync('verilator', ['--cc', '--exe', '--build', '-j', '2', '-O3', '--no-timing', '--prefix', 'Vtop', '--top-module', 'rv32_soc',
    '-GAW=11', `-GSHIFT_STEP=${shiftStep}`, `-GSPRAM=${spram}`, `-GCRC_PORT=${crcPort}`, `-I${CPU}`, `-I${GATEWARE}`, join(CPU, 'rv32_soc.v'), tb, '--Mdir', tmp, '-o', 'softcpu_tb',
    '-CFLAGS', '-O2', '-MAKEFLAGS', 'OPT_FAST=-O2'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0 || !existsSync(join(tmp, 'softcpu_tb'))) throw new Error(`verilator failed on rv32_soc: ${(r.stderr || r.stdout).slice(-4000)}`);
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return bin;
}

interface Run { marks: { cycle: number; retired: number; value: number }[]; out: number[]; cycles: number; retired: number; halted: boolean; consumed: number }

function runSoc(bin: string, hex: string, input: number[], maxCycles = 50_000_000): Run {
  const dir = join(REPO, 'build', 'softcpu', 'run');
  mkdirSync(dir, { recursive: true });
  const inFile = join(dir, `${process.pid}-${Math.random().toString(36).slice(2, 8)}.hex`);
  writeFileSync(inFile, input.map((b) => b.toString(16).padStart(2, '0')).join('\n') + '\n');
  const r = spawnSync(bin, [`+firmware=${hex}`, '--in', inFile, '--max-cycles', String(maxCycles)], { encoding: 'utf8', maxBuffer: 1 << 28 });
  rmSync(inFile, { force: true });
  if (r.status !== 0) throw new Error(`softcpu_tb failed (${r.status}): ${r.stdout.slice(-2000)}${r.stderr}`);
  const run: Run = { marks: [], out: [], cycles: 0, retired: 0, halted: false, consumed: 0 };
  for (const line of r.stdout.trim().split('\n')) {
    const f = line.split(' ');
    if (f[0] === 'M') run.marks.push({ cycle: Number(f[1]), retired: Number(f[2]), value: parseInt(f[3]!, 16) });
    else if (f[0] === 'O') run.out = (f[1] ?? '').match(/../g)?.map((x) => parseInt(x, 16)) ?? [];
    else if (f[0] === 'T') Object.assign(run, { cycles: Number(f[1]), retired: Number(f[2]), halted: f[3] === '1', consumed: Number(f[4]) });
  }
  return run;
}

// ---------------------------------------------------------------- (a) the instruction test
const u32 = (x: number) => x >>> 0;
const VALS = [0, 1, -1, 2, 0x7fffffff, 0x80000000, 0x12345678, 0xfedcba98, 31, 32, 33, -2048, 0x800, 0x55555555].map(u32);
const R_OPS: Record<string, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  sll: (a, b) => a << (b & 31),
  slt: (a, b) => ((a | 0) < (b | 0) ? 1 : 0),
  sltu: (a, b) => (u32(a) < u32(b) ? 1 : 0),
  xor: (a, b) => a ^ b,
  srl: (a, b) => a >>> (b & 31),
  sra: (a, b) => (a | 0) >> (b & 31),
  or: (a, b) => a | b,
  and: (a, b) => a & b,
};
const I_OPS: Record<string, (a: number, imm: number) => number> = {
  addi: (a, i) => a + i,
  slti: (a, i) => ((a | 0) < i ? 1 : 0),
  sltiu: (a, i) => (u32(a) < u32(i) ? 1 : 0),
  xori: (a, i) => a ^ i,
  ori: (a, i) => a | i,
  andi: (a, i) => a & i,
};
const IMMS = [-2048, -1, 0, 1, 2047, 0x555, -0x556];
const SH_OPS: Record<string, (a: number, s: number) => number> = { slli: (a, s) => a << s, srli: (a, s) => a >>> s, srai: (a, s) => (a | 0) >> s };
const SHAMTS = [0, 1, 3, 4, 5, 8, 31];
const B_OPS: Record<string, (a: number, b: number) => boolean> = {
  beq: (a, b) => a === b,
  bne: (a, b) => a !== b,
  blt: (a, b) => (a | 0) < (b | 0),
  bge: (a, b) => (a | 0) >= (b | 0),
  bltu: (a, b) => u32(a) < u32(b),
  bgeu: (a, b) => u32(a) >= u32(b),
};
const BVALS = [0, 1, -1, 0x7fffffff, 0x80000000, 5].map(u32);

/** The test program (assembly) and its expected signature; entries that are symbols are resolved after linking. */
function instructionTest(): { asm: string; expect: (number | { sym: string; add: number })[] } {
  const a: string[] = [];
  const e: (number | { sym: string; add: number })[] = [];
  const emit = (reg: string) => a.push(`  sw ${reg}, 8(s0)`);
  a.push('  .section .text', '  .globl main', 'main:', '  li s0, 0x80000000');
  // register-register ALU over every pair of values
  a.push('  .section .rodata', '  .balign 4', 'vals:', ...VALS.map((v) => `  .word 0x${v.toString(16)}`), 'vals_end:', '  .section .text');
  for (const [op, f] of Object.entries(R_OPS)) {
    a.push('  la t0, vals', '  la t2, vals_end', '1: la t1, vals', `2: lw a0, 0(t0)`, '  lw a1, 0(t1)', `  ${op} a2, a0, a1`);
    emit('a2');
    a.push('  addi t1, t1, 4', '  bne t1, t2, 2b', '  addi t0, t0, 4', '  bne t0, t2, 1b');
    for (const x of VALS) for (const y of VALS) e.push(u32(f(x, y)));
  }
  // register-immediate ALU and shifts by immediates
  const iloop = (ins: string, f: (x: number) => number) => {
    a.push('  la t0, vals', '  la t2, vals_end', '1: lw a0, 0(t0)', `  ${ins}`);
    emit('a2');
    a.push('  addi t0, t0, 4', '  bne t0, t2, 1b');
    for (const x of VALS) e.push(u32(f(x)));
  };
  for (const [op, f] of Object.entries(I_OPS)) for (const imm of IMMS) iloop(`${op} a2, a0, ${imm}`, (x) => f(x, imm));
  for (const [op, f] of Object.entries(SH_OPS)) for (const s of SHAMTS) iloop(`${op} a2, a0, ${s}`, (x) => f(x, s));
  // branches, taken (forward) and not taken, over every pair
  a.push('  .section .rodata', '  .balign 4', 'bvals:', ...BVALS.map((v) => `  .word 0x${v.toString(16)}`), 'bvals_end:', '  .section .text');
  for (const [op, f] of Object.entries(B_OPS)) {
    a.push('  la t0, bvals', '  la t2, bvals_end', '1: la t1, bvals', '2: lw a0, 0(t0)', '  lw a1, 0(t1)', '  li a2, 0x100', `  ${op} a0, a1, 3f`,
      '  addi a2, a2, 1', '  j 4f', '3: addi a2, a2, 2', '4:');
    emit('a2');
    a.push('  addi t1, t1, 4', '  bne t1, t2, 2b', '  addi t0, t0, 4', '  bne t0, t2, 1b');
    for (const x of BVALS) for (const y of BVALS) e.push(f(x, y) ? 0x102 : 0x101);
  }
  // backward branches taken: count down with each kind
  for (const [op, cond] of [['bne', 'a3, zero'], ['blt', 'zero, a3'], ['bltu', 'zero, a3'], ['bge', 'a3, a4'], ['bgeu', 'a3, a4']] as const) {
    a.push('  li a2, 0', '  li a3, 7', '  li a4, 1', `1: addi a2, a2, 3`, '  addi a3, a3, -1', `  ${op} ${cond}, 1b`);
    emit('a2');
    e.push(3 * 7);  // seven passes: the branch is taken back six times, then falls through
  }
  a.push('  li a2, 0', '  li a3, 4', '1: addi a2, a2, 5', '  addi a3, a3, -1', '  beq a3, zero, 2f', '  j 1b', '2:');
  emit('a2');
  e.push(20);
  // LUI, AUIPC
  for (const [imm, v] of [[0x12345, 0x12345000], [0xfffff, 0xfffff000], [0x80000, 0x80000000], [0, 0]] as const) {
    a.push(`  lui a2, 0x${imm.toString(16)}`);
    emit('a2');
    e.push(u32(v));
  }
  for (const [k, imm, add] of [[0, 0x12345, 0x12345000], [1, 0, 0], [2, 0xfffff, -0x1000], [3, 0x80000, 0x80000000]] as const) {
    a.push(`auipc_${k}: auipc a2, 0x${imm.toString(16)}`);
    emit('a2');
    e.push({ sym: `auipc_${k}`, add });
  }
  // JAL forward and backward, JALR with odd targets, negative offsets, rd = rs1, rd = x0
  a.push('  jal ra, jal_t1', 'jal_r1: li a2, 0xbad', '  sw a2, 8(s0)', 'jal_t1:');
  emit('ra');
  e.push({ sym: 'jal_r1', add: 0 });
  a.push('  j jal_f', 'jal_b:');
  emit('ra');
  e.push({ sym: 'jal_r2', add: 0 });
  a.push('  j jal_done', 'jal_f: jal ra, jal_b', 'jal_r2: li a2, 0xbad', '  sw a2, 8(s0)', 'jal_done:', '  li a2, 0x600d');
  emit('a2');
  e.push(0x600d);
  a.push('  la t1, jalr_t1', '  jalr ra, 1(t1)', 'jalr_r1: li a2, 0xbad', '  sw a2, 8(s0)', 'jalr_t1:');
  emit('ra');
  e.push({ sym: 'jalr_r1', add: 0 });
  a.push('  la t1, jalr_t2 + 5', '  jalr ra, -4(t1)', 'jalr_r2: li a2, 0xbad', '  sw a2, 8(s0)', 'jalr_t2:');
  emit('ra');
  e.push({ sym: 'jalr_r2', add: 0 });
  a.push('  la t1, jalr_t3 + 1', '  jalr t1, 0(t1)', 'jalr_r3: li a2, 0xbad', '  sw a2, 8(s0)', 'jalr_t3:');
  emit('t1');
  e.push({ sym: 'jalr_r3', add: 0 });
  a.push('  la t1, jalr_t4', '  jr t1', '  li a2, 0xbad', '  sw a2, 8(s0)', 'jalr_t4: li a2, 0x600d');
  emit('a2');
  e.push(0x600d);
  // x0 stays zero; FENCE is a no-op
  a.push('  addi x0, x0, 5', '  lui x0, 0x12345', '  jal x0, 1f', '1: fence');
  emit('x0');
  e.push(0);
  // loads and stores: a 16-byte area modelled here byte by byte
  const mem = new Uint8Array(16);
  const dv = new DataView(mem.buffer);
  a.push('  .section .bss', '  .balign 4', 'area: .space 16', '  .section .text', '  la t0, area + 8');
  const store = (op: 'sw' | 'sh' | 'sb', v: number, off: number) => {
    a.push(`  li a1, 0x${u32(v).toString(16)}`, `  ${op} a1, ${off}(t0)`);
    if (op === 'sw') dv.setUint32(8 + off, u32(v), true);
    else if (op === 'sh') dv.setUint16(8 + off, v & 0xffff, true);
    else mem[8 + off] = v & 0xff;
  };
  const loadAll = () => {
    for (let off = -8; off < 8; off++) {
      for (const op of ['lb', 'lbu'] as const) {
        a.push(`  ${op} a2, ${off}(t0)`);
        emit('a2');
        e.push(u32(op === 'lb' ? dv.getInt8(8 + off) : dv.getUint8(8 + off)));
      }
      if (off % 2 === 0) {
        for (const op of ['lh', 'lhu'] as const) {
          a.push(`  ${op} a2, ${off}(t0)`);
          emit('a2');
          e.push(u32(op === 'lh' ? dv.getInt16(8 + off, true) : dv.getUint16(8 + off, true)));
        }
      }
      if (off % 4 === 0) {
        a.push(`  lw a2, ${off}(t0)`);
        emit('a2');
        e.push(dv.getUint32(8 + off, true));
      }
    }
  };
  store('sw', 0x80ff7f01, -8);
  store('sw', 0x7f80ff00, -4);
  store('sw', 0x01234567, 0);
  store('sw', 0xfedcba98, 4);
  loadAll();
  for (const [k, off] of [-8, -5, -2, 1, 3, 6, 7].entries()) store('sb', 0x80 + k * 0x11, off);
  store('sh', 0x8001, -6);
  store('sh', 0x7ffe, 0);
  store('sh', 0xabcd, 6);
  loadAll();
  a.push('  ebreak', '  li a2, 0xbad', '  sw a2, 8(s0)');
  return { asm: a.join('\n') + '\n', expect: e };
}

// ---------------------------------------------------------------- (b) CRC-32 and COBS
function mulberry32(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function blocks(): Uint8Array[] {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const out: Uint8Array[] = [new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(0xff), all, all.slice().reverse()];
  for (const n of [253, 254, 255, 508, 509]) out.push(Uint8Array.from({ length: n }, (_, i) => 1 + (i % 255)));
  out.push(new Uint8Array(300));
  const rnd = mulberry32(0x50f7c0de);
  for (let k = 0; k < 12; k++) {
    const n = Math.floor(rnd() * 1500);
    const zeros = k % 3 === 0 ? 0.3 : k % 3 === 1 ? 0.004 : 0;
    out.push(Uint8Array.from({ length: n }, () => (rnd() < zeros ? 0 : 1 + Math.floor(rnd() * 255))));
  }
  return out;
}

describe.skipIf(!hasVerilator || !hasRiscvGcc)('soft processor rv32_core (Verilator, riscv64-unknown-elf-gcc)', () => {
  it('lint: verilator --lint-only -Wall', () => {
    for (const [top, params] of [['rv32_core', []], ['rv32_core', ['-GSHIFT_STEP=4']], ['rv32_core', ['-GSHIFT_STEP=1']], ['rv32_soc', []], ['rv32_soc', ['-GAW=10', '-GSHIFT_STEP=4']], ['rv32_soc', ['-GSHIFT_STEP=8']], ['rv32_soc', ['-GSPRAM=1']], ['rv32_soc', ['-GCRC_PORT=1']], ['rv32_spram', []]] as const) {
      const r = spawnSync('verilator', ['--lint-only', '-Wall', `-I${CPU}`, `-I${GATEWARE}`, '--top-module', top, ...params, join(CPU, `${top}.v`)], { encoding: 'utf8' });
      expect(r.stderr, `${top} ${params.join(' ')}`).toBe('');
      expect(r.status).toBe(0);
    }
    for (const params of [[], ['-GCORE_ONLY=1'], ['-GSPRAM=1', '-GCRC_PORT=1']]) {
      const r = spawnSync('verilator', ['--lint-only', '-Wall', `-I${CPU}`, `-I${GATEWARE}`, '--top-module', 'softcpu_synth_wrap', ...params, join(GATEWARE, 'sim', 'softcpu_synth_wrap.v')], { encoding: 'utf8' });
      expect(r.stderr, `softcpu_synth_wrap ${params.join(' ')}`).toBe('');
      expect(r.status).toBe(0);
    }
  });

  for (const { shiftStep, spram, crcPort } of CONFIGS) {
    const label = `SHIFT_STEP ${shiftStep}${spram ? ', SPRAM' : ''}${crcPort ? ', CRC port' : ''}`;
    it(`every RV32I instruction against its semantics (${label})`, () => {
      const bin = verilateSoc(shiftStep, spram, crcPort);
      const t = instructionTest();
      const dir = join(REPO, 'build', 'softcpu', 'src');
      mkdirSync(dir, { recursive: true });
      const src = join(dir, `isa-${createHash('sha256').update(t.asm).digest('hex').slice(0, 12)}.S`);
      writeFileSync(src, t.asm);
      const fw = buildFirmware({ sources: [src], ramBytes: ramBytes(spram) });
      const expected = t.expect.map((x) => (typeof x === 'number' ? x : u32(fw.symbols[x.sym]! + x.add)));
      const run = runSoc(bin, fw.hex, []);
      expect(run.halted).toBe(true);
      const got = run.marks.map((m) => m.value);
      const firstBad = got.findIndex((v, i) => v !== expected[i]);
      expect(firstBad, `first difference at signature word ${firstBad}: got ${got[firstBad]?.toString(16)}, expected ${expected[firstBad]?.toString(16)}`).toBe(-1);
      expect(got.length).toBe(expected.length);
      process.stderr.write(`softcpu ${label}: instruction test ${expected.length} signature words, ${run.retired} instructions in ${run.cycles} cycles (CPI ${(run.cycles / run.retired).toFixed(2)})\n`);
    }, 300_000);

    it(`CRC-32 and COBS firmware equal crc32.ts and cobs.ts (${label})`, () => {
      const bin = verilateSoc(shiftStep, spram, crcPort);
      const fw = buildFirmware({ sources: [join(CPU, 'fw_crc_cobs.c')], ramBytes: ramBytes(spram) });
      const bs = blocks();
      const input: number[] = [];
      for (const b of bs) input.push(b.length & 0xff, b.length >> 8, ...b);
      input.push(0xff, 0xff);
      const run = runSoc(bin, fw.hex, input);
      expect(run.halted).toBe(true);
      expect(run.consumed).toBe(input.length);
      const expected: number[] = [];
      for (const b of bs) {
        const c = crc32(b);
        const enc = cobsEncode(b);
        const le = [c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24];
        expected.push(...le, ...le, ...le, enc.length & 0xff, enc.length >> 8, ...enc);
      }
      expect(run.out.length).toBe(expected.length);
      expect(Buffer.from(run.out).equals(Buffer.from(expected))).toBe(true);
      // cycles per byte between the marks (1: before the table-driven CRC, 2: bitwise, 3: COBS, 4: nibble table, 5: after)
      const per = { table: [0, 0, 0], bitwise: [0, 0, 0], cobs: [0, 0, 0], nibble: [0, 0, 0] };
      let k = 0;
      const ms = run.marks.filter((m) => m.value < 0x10);
      for (const b of bs) {
        const m = ms.slice(5 * k, 5 * k + 5);
        k++;
        expect(m.map((x) => x.value)).toEqual([1, 2, 3, 4, 5]);
        for (const [name, i] of [['table', 0], ['bitwise', 1], ['cobs', 2], ['nibble', 3]] as const) {
          per[name][0]! += b.length;
          per[name][1]! += m[i + 1]!.cycle - m[i]!.cycle;
          per[name][2]! += m[i + 1]!.retired - m[i]!.retired;
        }
      }
      const f = (x: number[]) => `${(x[1]! / x[0]!).toFixed(1)} cycles/byte (${(x[2]! / x[0]!).toFixed(1)} instr/byte, CPI ${(x[1]! / x[2]!).toFixed(2)})`;
      const tbl = run.marks.filter((m) => m.value >= 0x10);
      process.stderr.write(`softcpu ${label}: firmware ${fw.bytes} bytes; ${bs.length} blocks, ${per.table[0]} bytes: CRC-32 table-driven ${f(per.table)}, ` +
        `bitwise ${f(per.bitwise)}, nibble table ${f(per.nibble)}, COBS encode ${f(per.cobs)}; CRC table build ${tbl[1]!.cycle - tbl[0]!.cycle} cycles; whole run ${run.cycles} cycles, CPI ${(run.cycles / run.retired).toFixed(2)}\n`);
    }, 300_000);

    it(`streaming link work: COBS decode + CRC-32 per received byte, CRC + COBS framing per sent byte (${label})`, () => {
      const bin = verilateSoc(shiftStep, spram, crcPort);
      const fw = buildFirmware({ sources: [join(CPU, 'fw_stream.c')], ramBytes: ramBytes(spram), defines: { HW_CRC: crcPort } });
      const bs = blocks();
      const input: number[] = [];
      const expected: number[] = [];
      const rxLens: number[] = [];
      const txLens: number[] = [];
      const le32 = (c: number) => [c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24];
      const rxCase = (enc: Uint8Array) => {
        input.push(0x52, ...enc, 0);
        rxLens.push(enc.length + 1);
        const dec = cobsDecode(enc);
        if (dec === null) expected.push(-1);
        else expected.push(dec.length & 0xff, dec.length >> 8, ...le32(crc32(dec)), 1);
      };
      for (const b of bs) rxCase(cobsEncode(b));
      // malformed blocks: a code that runs past the delimiter
      for (const enc of [Uint8Array.of(5, 1, 2), Uint8Array.of(0xff, 1), Uint8Array.of(2, 7, 3)]) rxCase(enc);
      for (const b of bs) {
        input.push(0x54, b.length & 0xff, b.length >> 8, ...b);
        const framed = new Uint8Array(b.length + 4);
        framed.set(b);
        framed.set(le32(crc32(b)), b.length);
        const enc = cobsEncode(framed);
        expected.push(...enc, 0);
        txLens.push(enc.length + 1);
      }
      input.push(0x45);
      const run = runSoc(bin, fw.hex, input);
      expect(run.halted).toBe(true);
      expect(run.consumed).toBe(input.length);
      // a malformed block's answer is the length and CRC of what was decoded (not compared) and 0
      const exp: number[] = [];
      for (const x of expected) {
        if (x === -1) exp.push(...run.out.slice(exp.length, exp.length + 6), 0);
        else exp.push(x);
      }
      const got = run.out;
      expect(got.length).toBe(exp.length);
      expect(Buffer.from(got).equals(Buffer.from(exp))).toBe(true);
      const r = run.marks.filter((m) => m.value === 0x20 || m.value === 0x21);
      const t = run.marks.filter((m) => m.value === 0x30 || m.value === 0x31);
      expect(r.length).toBe(2 * rxLens.length);
      expect(t.length).toBe(2 * txLens.length);
      let rc = 0, rb = 0, ri = 0, tc = 0, tb = 0, ti = 0;
      rxLens.forEach((n, i) => { rc += r[2 * i + 1]!.cycle - r[2 * i]!.cycle; ri += r[2 * i + 1]!.retired - r[2 * i]!.retired; rb += n; });
      txLens.forEach((n, i) => { tc += t[2 * i + 1]!.cycle - t[2 * i]!.cycle; ti += t[2 * i + 1]!.retired - t[2 * i]!.retired; tb += n; });
      process.stderr.write(`softcpu ${label}: stream firmware ${fw.bytes} bytes; receive (poll, COBS decode, CRC-32 ${crcPort ? 'port' : 'table'}, store) ${(rc / rb).toFixed(1)} cycles per line byte ` +
        `(${(ri / rb).toFixed(1)} instr, ${rb} bytes); send (CRC-32 ${crcPort ? 'port' : 'table'}, COBS encode, write) ${(tc / tb).toFixed(1)} cycles per line byte (${(ti / tb).toFixed(1)} instr, ${tb} bytes); ` +
        `line at 921,600 baud and 12 MHz: 130.2 cycles per byte\n`);
    }, 300_000);
  }
});

// keep the list of sources of the soft processor in sync with the folder
describe('gateware/cpu sources', () => {
  it('has one module per Verilog file', () => {
    for (const f of readdirSync(CPU).filter((x) => x.endsWith('.v'))) {
      const mods = readFileSync(join(CPU, f), 'utf8').match(/^module\s+(\w+)/gm) ?? [];
      expect(mods, f).toEqual([`module ${f.replace(/\.v$/, '')}`]);
    }
  });
});
