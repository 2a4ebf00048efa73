import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The session testbench with cpu_link in place of board_link: the soft RV32I (gateware/cpu/rv32_core.v)
 * running the protocol firmware (gateware/firmware/, the HAL gateware/firmware/rv32/hal_cpulink.c) out of
 * one SPRAM, with its memory-mapped peripherals (gateware/cpu_link*.v), around core_stub
 * (gateware/sim/session_harness.v with SESSION_HARNESS_CPU defined). It speaks session_tb.cpp's line protocol
 * (gateware/sim/session_tb.cpp with REPORT_TICK_CYCLES 20), so that SessionTb drives it as it drives the RTL board.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GW = join(ROOT, 'gateware');
const FW = join(GW, 'firmware');

/**
 * Clock cycles per ms of the CPU board by default: 12 000, a real board's 12 MHz (the testbench reports
 * cycles of 1/20 ms, as session-tb.ts's TICK_CYCLES assumes). The session tests pass 4 000 (BOARDS in
 * session-tb.ts): the CPU then runs a third of its real speed against the ms timers (a pessimistic case),
 * and the slowest case (session-states "every message ...": ~65 s of simulated time, mostly the test
 * host's 1 ms credit polls) stays well inside the 120 s test timeout; at 12 000 it does not (~8 M
 * simulated cycles/s).
 */
export const CPU_TICK_CYCLES = 12000;

export const CPU_SOURCES = [
  'sim/session_harness.v', 'sim/core_stub.v', 'cpu_link.v', 'cpu_link_ram.v', 'cpu_link_rx.v', 'cpu_link_tx.v',
  'cpu_link_coreio.v', 'ms_clock.v', 'cpu/rv32_core.v', 'cpu/rv32_regfile.v',
];
const CPU_EXTRA = ['sim/session_tb.cpp'];
const FW_SOURCES = ['rv32/hal_cpulink.c', 'fw.c', 'link.c', 'session.c', 'history.c', 'rto.c'];
const FW_OTHER = ['rv32/cpulink.ld', 'config.h', 'hal.h', 'fw.h', 'link.h', 'session.h', 'history.h', 'rto.h', 'image_install.c', 'image_install.h', 'crc32.h', 'frame_encode.h'];   // image_install.c: compiled into session.c

/** 16-bit little-endian words, one a line, for $readmemh into the SPRAM model. */
function hex16(bin: Buffer): string {
  const lines: string[] = [];
  for (let i = 0; i < bin.length; i += 2) lines.push(((bin[i]! | ((bin[i + 1] ?? 0) << 8)) >>> 0).toString(16).padStart(4, '0'));
  return lines.join('\n') + '\n';
}

/**
 * Builds the firmware (riscv64-unknown-elf-gcc -march=rv32i -Os, rv32/cpulink.ld) and the Verilator
 * testbench of session_harness with cpu_link that loads it, once per set of sources (cached under build/, keyed by
 * their hash). Returns the binary's path.
 */
export function buildCpuSessionTb(params: Record<string, number> = {}): string {
  const h = createHash('sha256');
  for (const f of [...CPU_SOURCES, ...CPU_EXTRA]) h.update(f).update(readFileSync(join(GW, f)));
  for (const f of [...FW_SOURCES, ...FW_OTHER]) h.update(f).update(readFileSync(join(FW, f)));
  const all = { TICK_CYCLES: CPU_TICK_CYCLES, ...params };
  const gs = Object.entries(all).map(([k, v]) => `-G${k}=${v}`);
  h.update(gs.join(' '));
  const dir = join(ROOT, 'build', 'gateware', `cpu-session-tb-${h.digest('hex').slice(0, 16)}`);
  const bin = join(dir, 'Vsession_harness');
  const lock = `${dir}.lock`;
  mkdirSync(join(ROOT, 'build', 'gateware'), { recursive: true });
  for (let waited = 0; !existsSync(bin); waited += 200) {
    try {
      mkdirSync(lock);
    } catch {
      if (waited > 600_000) throw new Error(`waited 600 s for another build of ${dir} (remove ${lock} if none runs)`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      continue;
    }
    try {
      if (!existsSync(bin)) build(dir, gs, all.TICK_CYCLES);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return bin;
}

function build(dir: string, gs: string[], tick: number): void {
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('riscv64-unknown-elf-gcc', ['-march=rv32i', '-mabi=ilp32', '-Os', '-ffreestanding', '-nostdlib', '-std=c99',
    '-Wall', '-Werror', '-Wl,--no-warn-rwx-segments', '-T', join(FW, 'rv32/cpulink.ld'), '-o', join(tmp, 'fw.elf'),
    ...FW_SOURCES.map((f) => join(FW, f)), '-lgcc'], { stdio: 'pipe' });
  execFileSync('riscv64-unknown-elf-objcopy', ['-O', 'binary', join(tmp, 'fw.elf'), join(tmp, 'fw.bin')], { stdio: 'pipe' });
  writeFileSync(join(tmp, 'fw.hex'), hex16(readFileSync(join(tmp, 'fw.bin'))));
  // the image is read at simulation start from its final place (the directory is renamed when built)
  execFileSync('verilator', [
    '--cc', '--exe', '--build', '-j', '2', '-Wno-fatal', '-Wno-lint', '-Wno-style', '-O2', '--top-module', 'session_harness', '-DSESSION_HARNESS_CPU',
    `-I${GW}`, `-I${join(GW, 'sim')}`, ...gs, `-DCPU_LINK_FW="${join(dir, 'fw.hex')}"`, '-CFLAGS', `-O1 -DTICK_CYCLES=${tick} -DREPORT_TICK_CYCLES=20`,
    '--Mdir', tmp, ...CPU_SOURCES.map((f) => join(GW, f)), join(GW, 'sim/session_tb.cpp'),
  ], { stdio: 'pipe' });
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}
