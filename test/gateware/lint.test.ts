import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GATEWARE, hasVerilator } from './tools.js';

/** The link blocks, and the assembled designs, are lint-clean under Verilator -Wall (waivers only in the sources, with a comment), at both board and simulation sizes. */
const MODULES = ['uart_rx', 'uart_tx', 'crc32', 'cobs_decoder', 'cobs_encoder', 'frame_rx', 'frame_tx', 'frame_tx_raw', 'frame_echo_top', 'cpu_link_rom'];

describe.skipIf(!hasVerilator)('gateware lint (verilator --lint-only -Wall)', () => {
  for (const m of MODULES) {
    it(m, () => {
      for (const g of [[], ['-GCLK_HZ=12000000', '-GBAUD=921600'], ['-GCLK_HZ=48000000', '-GBAUD=115200']]) {
        const tx = m === 'frame_tx' || m === 'frame_tx_raw';
        const params = m.startsWith('frame_') && !tx ? [...g, '-GMAX_PAYLOAD=4096'] : m.startsWith('uart') || tx ? g : [];
        const r = spawnSync('verilator', ['--lint-only', '-Wall', `-I${GATEWARE}`, '--top-module', m, ...params, join(GATEWARE, `${m}.v`)], { encoding: 'utf8' });
        expect(r.stderr, `${m} ${params.join(' ')}`).toBe('');
        expect(r.status).toBe(0);
      }
    });
  }
  // The assembled designs: the link and session (RTL and on the soft CPU), the core, the whole board, at the clocks and baud rates a
  // port may choose (constant functions evaluated at elaboration must still build at 48 MHz).
  // board_top runs the link layer and session as firmware on the soft processor (cpu_link, whose
  // peripherals are linted alone too, and gateware/cpu/); board_link is the RTL reference of the session tests.
  for (const m of ['cpu_link_rx', 'cpu_link_tx', 'cpu_link_coreio', 'cpu_link_ram', 'ms_clock', 'cpu_link', 'board_link', 'nla_core', 'vcore/vcore_board', 'board_top']) {
    it(`${m} (whole design)`, () => {
      const sets =
        m === 'board_link' ? [[], ['-GTICK_CYCLES=48000', '-GBYTE_MS_Q16=5689']]
        : m === 'cpu_link' ? [[], ['-GTICK_CYCLES=48000', '-GBYTE_MS_Q16=5689'], ['-GVCORE=1']]
        : m === 'board_top' ? [[], ['-GCLK_HZ=12000000', '-GBAUD=921600'], ['-GCLK_HZ=48000000', '-GBAUD=115200'], ['-GFLASH_BOOT=0'], ['-GVCORE=0'], ['-GVCORE=0', '-GFLASH_BOOT=0']]
        : [[]];
      for (const params of sets) {
        // (the vector core's files carry a timescale, the others none: --timescale gives them the same)
        const r = spawnSync('verilator', ['--lint-only', '-Wall', '--timescale', '1ns/1ps', `-I${GATEWARE}`, `-I${join(GATEWARE, 'cpu')}`, `-I${join(GATEWARE, 'vcore')}`, '--top-module', m.split('/').pop()!, ...params, join(GATEWARE, `${m}.v`)], { encoding: 'utf8' });
        expect(r.stderr, `${m} ${params.join(' ')}`).toBe('');
        expect(r.status).toBe(0);
      }
    });
  }
  // The tops as `nla fpga build` synthesizes them: boards/ice40_top.v around board_top with the configuration flash's pins
  // (BOARD_TOP_FLASH, as host/fpga/ice40-build.ts defines it for a top with flash_miso: cpu_link's boot ROM copies the firmware) and
  // around frame_echo_top (no flash).
  for (const defs of [['-DBOARD_TOP=board_top', '-DBOARD_TOP_FLASH'], ['-DBOARD_TOP=frame_echo_top']]) {
    it(`ice40_top ${defs.join(' ')}`, () => {
      for (const params of [[], ['-GCLK_HZ=48000000', '-GBAUD=115200']]) {
        const r = spawnSync('verilator', ['--lint-only', '-Wall', '--timescale', '1ns/1ps', `-I${GATEWARE}`, `-I${join(GATEWARE, 'cpu')}`, `-I${join(GATEWARE, 'vcore')}`, ...defs, '--top-module', 'ice40_top', ...params, join(GATEWARE, 'boards', 'ice40_top.v')], { encoding: 'utf8' });
        expect(r.stderr, `ice40_top ${defs.join(' ')} ${params.join(' ')}`).toBe('');
        expect(r.status).toBe(0);
      }
    });
  }
});
