import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boardFirmwareHeader, boardFirmwareMismatches, boardTopVcore, CPULINK_BOARD_H, CPULINK_VCORE_BOARD_H, gatewareCapacity } from '../../host/fpga/gateware-capacity.js';
import { VCORE_UP5K_BUILD } from '../../hardware-models/fixed-point/vcore-image.js';
import { cpuLinkImage } from '../../host/board/verilate.js';
import { GATEWARE } from './tools.js';

/**
 * The firmware images board_top's cpu_link runs (gateware/firmware/cpulink_vcore.hex for the vector core, the
 * default, and cpulink_board.hex for nla_core; committed so that `nla board rtl` and `nla fpga build` need no
 * RISC-V compiler) are what their sources build: rebuilding them with `make -C gateware/firmware board-image-vcore`
 * / `board-image` gives the same bytes (skipped with a NOTE without
 * riscv64-unknown-elf-gcc; CI has it), and its board parameters (firmware/rv32/cpulink_board.h) are
 * board_top.v's: the capacity the host reads (host/fpga/gateware-capacity.ts) and what HELLO_ACK announces
 * cannot drift apart.
 */
const hasRiscvGcc = spawnSync('riscv64-unknown-elf-gcc', ['--version'], { stdio: 'ignore' }).status === 0;
if (!hasRiscvGcc) process.stderr.write('NOTE: riscv64-unknown-elf-gcc is not installed: the check that gateware/firmware/cpulink_board.hex is what its sources build is skipped (apt-get install gcc-riscv64-unknown-elf)\n');

describe('the board firmware images (cpu_link in board_top)', () => {
  for (const [target, file, vcore] of [['board-image-vcore', 'cpulink_vcore.hex', true], ['board-image', 'cpulink_board.hex', false]] as const)
  it.skipIf(!hasRiscvGcc)(`rebuilding gateware/firmware/${file} from the sources gives the same bytes`, () => {
    const out = mkdtempSync(join(tmpdir(), 'nla-cpulink-image-'));
    const r = spawnSync('make', ['-s', '-C', join(GATEWARE, 'firmware'), target, `OUT=${out}`], { encoding: 'utf8' });
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const built = readFileSync(join(out, file), 'utf8');
    const committed = readFileSync(cpuLinkImage(GATEWARE, vcore), 'utf8');
    const gcc = spawnSync('riscv64-unknown-elf-gcc', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
    expect(built === committed, `gateware/firmware/${file} is stale (or ${gcc} compiles differently): run make -C gateware/firmware install-${target} and commit it`).toBe(true);
    // 16-bit words, one a line: the image and its bss fit the 32 KiB SPRAM with the stack (cpulink.ld asserts 1 KiB)
    const words = committed.trim().split('\n');
    expect(words.every((w) => /^[0-9a-f]{4}$/.test(w))).toBe(true);
    expect(words.length * 2).toBeLessThan(32 * 1024);
  });

  it('its board parameters are board_top.v’s (the capacity is read from both and refused if they disagree)', () => {
    expect(boardTopVcore()).toBe(true);
    expect(boardFirmwareHeader()).toBe(CPULINK_VCORE_BOARD_H);
    expect(boardFirmwareMismatches()).toEqual([]);
    const g = gatewareCapacity();
    expect(g.boardId).toBe('nla-up5k');
    expect(g.caps.window).toBe(2); // the vector-core board's firmware holds 2 messages (its check and driver take the room of a third)
    expect(g.vcore).toEqual(VCORE_UP5K_BUILD);
    // a copy of the gateware whose firmware announces more neurons than board_top holds
    const dir = mkdtempSync(join(tmpdir(), 'nla-cpulink-caps-'));
    cpSync(GATEWARE, dir, { recursive: true });
    const h = join(dir, CPULINK_VCORE_BOARD_H);
    const original = readFileSync(h, 'utf8');
    writeFileSync(h, original.replace(/#define CAP_MAX_NEURONS \d+/, '#define CAP_MAX_NEURONS 99'));
    expect(boardFirmwareMismatches(dir)).toEqual([`MAX_NEURONS: board_top.v has ${g.caps.maxNeurons}, the firmware (${h}) CAP_MAX_NEURONS 99`]);
    expect(() => gatewareCapacity(dir)).toThrow(/disagree with gateware\/board_top.v[^]*MAX_NEURONS/);
    // a firmware that announces a bank wider than vcore_board.v synthesizes
    writeFileSync(h, original.replace('{ 42, 42, 32, 32, 32, 32, 32 }', '{ 42, 42, 42, 32, 32, 32, 32 }'));
    expect(boardFirmwareMismatches(dir).join('\n')).toMatch(/vector-core banks: .*vcore_board.v synthesizes 7 of 42\/42\/32\/32\/32\/32\/32 bits, the firmware announces 7 of 42\/42\/42\/32/);
    // a firmware whose X read port reaches a bank vcore_board.v's does not (the board would accept an image its core
    // reads wrong): the read masks are compared, and the firmware's build is no longer VCORE_UP5K_BUILD
    writeFileSync(h, original.replace('{ 127, 124, 125, 22, 12 }', '{ 127, 125, 125, 22, 12 }'));
    const ports = boardFirmwareMismatches(dir).join('\n');
    expect(ports).toMatch(/vector-core read ports: .*vcore_board.v synthesizes \{"RA":127,"RX":124,"RY":125,"RS":22,"RM":12\}, the firmware announces \{"RA":127,"RX":125,/);
    expect(ports).toMatch(/vector-core build: the firmware announces .*"readBanks":\{"a":127,"x":125/);
    // a firmware that does not encode its frames while board_top sends the buffer as it is (frame_tx_raw): no CRC, no COBS
    writeFileSync(h, original.replace(/#define HAL_TX_RAW 1[^\n]*\n/, ''));
    expect(boardFirmwareMismatches(dir)).toEqual([`the sent frames' encoding (CRC-32, COBS): board_top.v has frame_tx_raw (the firmware encodes), the firmware (${h}) does not (no HAL_TX_RAW)`]);
    // nla_core's board (VCORE = 0): its own header, and IMG_BYTES (nla_core's staging) compared
    writeFileSync(h, original);
    const top = join(dir, 'board_top.v');
    writeFileSync(top, readFileSync(top, 'utf8').replace(/parameter VCORE = 1/, 'parameter VCORE = 0').replace(/parameter IMG_BYTES = \d+/, 'parameter IMG_BYTES = 16384'));
    expect(boardFirmwareHeader(dir)).toBe(CPULINK_BOARD_H);
    expect(boardFirmwareMismatches(dir)).toEqual([`IMG_BYTES: board_top.v has 16384, the firmware (${join(dir, CPULINK_BOARD_H)}) IMG_BYTES 32768`]);
  });
});
