import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { framePayloadBytes } from '../../hardware-models/fixed-point/capabilities.js';
import { PROBE, probeWidth } from '../../hardware-models/fixed-point/image.js';
import { rtlBootCycles } from '../../host/board/rtl-board.js';
import { frameRates, lineFramesPerS } from '../../host/fpga/line-rate.js';
import { encodeFrame } from '../../host/protocol/frame.js';
import { encodePayload, MSG } from '../../host/protocol/messages.js';
import { execBounded } from '../../host/fpga/core-sim.js';
import { checkDefaultsNotOverridden, gatewareCapacity, gatewareProblems, stripVerilogComments, verilogParameter } from '../../host/fpga/gateware-capacity.js';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFirmwareFlashImage, readFirmwareFile } from '../../host/fpga/firmware-image.js';
import { boardFirmwareHex, FpgaBuildError, ice40ToolsProblem, missingIce40Tools, nextpnrClocks, synthesisSources, toolInstalled, writeFirmwareFlashFile } from '../../host/fpga/ice40-build.js';
import { coreioParamArgs, vcoreBoardParams, vcoreBuildParams } from '../../host/fpga/vcore-cycles.js';
import { VCORE_UP5K_BUILD } from '../../hardware-models/fixed-point/vcore-image.js';
import { GATEWARE } from './tools.js';

/**
 * The pure parts of the FPGA tooling (host/fpga/), without running any HDL tool: tool detection, the
 * reading of nextpnr's timing, the gateware parameters the capacity is read from, the line rate and the
 * RTL board's boot time.
 */

// captured from nextpnr-ice40 (frame_echo_top on the iCEBreaker): the placement and the routing timing summaries
const LOG_WITH_FMAX = `Info: SA placement time 1.27s

Info: Max frequency for clock 'clk_12m$SB_IO_IN_$glb_clk': 35.76 MHz (PASS at 12.00 MHz)

Info: Max delay <async>                           -> posedge clk_12m$SB_IO_IN_$glb_clk: 3.60 ns
Info: Max delay posedge clk_12m$SB_IO_IN_$glb_clk -> <async>                          : 4.95 ns

Info: Routing complete.
Info: 1.4 ns logic, 3.6 ns routing

Info: Max frequency for clock 'clk_12m$SB_IO_IN_$glb_clk': 34.88 MHz (PASS at 12.00 MHz)

Info: Max delay <async>                           -> posedge clk_12m$SB_IO_IN_$glb_clk: 3.78 ns
`;
const LOG_WITHOUT_FMAX = `Info: SA placement time 0.01s

Info: Max delay <async>                           -> <async>: 3.60 ns

Info: Routing complete.
Info: Program finished normally.
`;
const REPORT = JSON.stringify({
  critical_paths: [],
  fmax: { 'clk_12m$SB_IO_IN_$glb_clk': { achieved: 34.88331604003906, constraint: 12 } },
  utilization: { ICESTORM_LC: { available: 5280, used: 1106 } },
});

describe('iCE40 build: tools and nextpnr timing', () => {
  it('detects a tool by whether it starts, not by its exit status (icepack -h exits 1)', () => {
    // `node -e 'process.exit(1)'` starts and exits 1: installed
    expect(toolInstalled(process.execPath, ['-e', 'process.exit(1)'])).toBe(true);
    expect(toolInstalled('nla-no-such-tool-xyz', ['-h'])).toBe(false);
    const none = missingIce40Tools((cmd) => cmd !== 'icepack');
    expect(none).toEqual([{ tool: 'icepack', pkg: 'fpga-icestorm' }]);
    const err = ice40ToolsProblem(none);
    expect(err?.message).toMatch(/not installed: icepack \(Debian\/Ubuntu: apt-get install fpga-icestorm\)/);
    expect(ice40ToolsProblem([])).toBeNull();
  });

  it('reads fmax from the report, else from the log (the last figure per clock), and refuses a run that timed no clock', () => {
    expect(nextpnrClocks(REPORT, '')).toEqual({ 'clk_12m$SB_IO_IN_$glb_clk': { achieved: 34.88331604003906, constraint: 12 } });
    expect(nextpnrClocks(null, LOG_WITH_FMAX)).toEqual({ 'clk_12m$SB_IO_IN_$glb_clk': { achieved: 34.88, constraint: 12 } });
    expect(nextpnrClocks(JSON.stringify({ fmax: {} }), LOG_WITH_FMAX)['clk_12m$SB_IO_IN_$glb_clk']!.achieved).toBe(34.88);
    expect(() => nextpnrClocks(JSON.stringify({ fmax: {}, utilization: {} }), LOG_WITHOUT_FMAX)).toThrow(FpgaBuildError);
    expect(() => nextpnrClocks(null, LOG_WITHOUT_FMAX)).toThrow(/nextpnr reported no fmax for any clock/);
  });
});

describe('gateware capacity: parameters read from the Verilog', () => {
  const v = (body: string) => `// m: a module\nmodule m #(\n${body}\n) (input wire clk);\nendmodule\n`;

  it('reads a plain decimal default, comments ignored', () => {
    expect(verilogParameter(v('  parameter A = 12,\n  parameter B = 3_584 // bytes\n'), 'B', 'm.v')).toBe(3584);
    expect(verilogParameter(v('  parameter integer A = 7;'), 'A', 'm.v')).toBe(7);
    expect(verilogParameter(v('  parameter [15:0] A = 9)'), 'A', 'm.v')).toBe(9);
    // a commented-out declaration is not the declaration
    expect(verilogParameter(v('  // parameter A = 1,\n  /* parameter A = 2, */ parameter A = 3,\n  parameter B = 4'), 'A', 'm.v')).toBe(3);
    // a comment between the value and its comma
    expect(verilogParameter(v('  parameter A = 5 /* five */ ,\n  parameter B = 4'), 'A', 'm.v')).toBe(5);
    expect(stripVerilogComments('a // b\n"x // y" /* z\n */ c')).toBe('a     \n"x // y"     \n    c');
  });

  it('refuses sized literals, expressions and other parameters, naming the file, the module and the parameter', () => {
    for (const bad of ["16'd5", '8 * 4', 'A + 1', '(8)', "'h10", 'B']) {
      expect(() => verilogParameter(v(`  parameter B = 1,\n  parameter C = ${bad},\n  parameter D = 2`), 'C', 'gw/m.v')).toThrow(
        new RegExp(`^gw/m\\.v: module m: parameter C = .*expected a plain decimal integer`),
      );
    }
    // the old reader took 16 from 16'd5 and 8 from 8 * 4
    expect(() => verilogParameter(v("  parameter C = 16'd5"), 'C', 'm.v')).toThrow(/parameter C = 16'd5/);
    expect(() => verilogParameter(v('  parameter CC = 5'), 'C', 'gw/m.v')).toThrow(/gw\/m\.v: module m declares no parameter C/);
    expect(() => verilogParameter(v('  // parameter C = 5'), 'C', 'm.v')).toThrow(/declares no parameter C/);
  });

  it('refuses a top that overrides, where it instantiates a submodule, a default the capacity is read from', () => {
    const top = (inst: string) => `module board_top #(parameter MAX_PAYLOAD = 1024) ();\n${inst}\nendmodule\n`;
    const ok = top('  nla_core #(.MAX_NEURONS(64), .IMG_BYTES(32768)) u_core (.clk(clk));\n  board_link #(.BOARD_ID("a(b)"), .ID_LEN(8)) u_link (.clk(clk));');
    expect(() => checkDefaultsNotOverridden(ok, 'top.v', 'nla_core', ['MAX_POPS', 'MAX_PROJ'])).not.toThrow();
    expect(() => checkDefaultsNotOverridden(ok, 'top.v', 'board_link', ['QMEM', 'QBASE'])).not.toThrow();
    // a commented-out override is none
    expect(() => checkDefaultsNotOverridden(top('  nla_core #(.MAX_NEURONS(64) /* , .MAX_POPS(16) */) u (.clk(clk));'), 'top.v', 'nla_core', ['MAX_POPS'])).not.toThrow();
    expect(() => checkDefaultsNotOverridden(top('  nla_core #(.MAX_NEURONS(64),\n    .MAX_POPS (16)) u (.clk(clk));'), 'gw/top.v', 'nla_core', ['MAX_PROJ', 'MAX_POPS'])).toThrow(
      /^gw\/top\.v: parameter MAX_POPS of nla_core is overridden where it is instantiated/,
    );
    expect(() => checkDefaultsNotOverridden(top('  board_link #(.QMEM((2 * 1024))) u (.clk(clk));'), 'top.v', 'board_link', ['QMEM'])).toThrow(/parameter QMEM of board_link/);
    expect(() => checkDefaultsNotOverridden(top('  nla_core #(64, 8) u (.clk(clk));'), 'top.v', 'nla_core', ['MAX_POPS'])).toThrow(/positional parameters/);
    expect(() => checkDefaultsNotOverridden(top('  defparam u_core.MAX_POPS = 16;'), 'top.v', 'nla_core', ['MAX_POPS'])).toThrow(/defparam sets MAX_POPS/);
  });

  it('reads the gateware as it is', () => {
    const g = gatewareCapacity();
    expect(g.caps.maxNeurons).toBeGreaterThan(0);
    expect(g.caps.window).toBeGreaterThanOrEqual(1);
    expect(g.internal.populations).toBeGreaterThan(0);
  });
});

describe('core simulation: bounded child processes', () => {
  it('names what timed out, and what failed with the tail of its stderr', () => {
    const node = process.execPath;
    expect(execBounded('echo', node, ['-e', 'process.stdout.write("ok")'], { timeoutMs: 20_000, maxBuffer: 1 << 20 }).toString()).toBe('ok');
    expect(() => execBounded('the sleeper', node, ['-e', 'setTimeout(() => {}, 60000)'], { timeoutMs: 300, maxBuffer: 1 << 20 })).toThrow(/^the sleeper timed out after 300 ms \(killed\)/);
    expect(() => execBounded('building the thing', node, ['-e', 'process.stderr.write("x".repeat(9000) + "%Error: the cause"); process.exit(3)'], { timeoutMs: 20_000, maxBuffer: 1 << 20 })).toThrow(
      /^building the thing failed \(exit 3\):\n…x+%Error: the cause$/,
    );
    expect(() => execBounded('the tool', 'nla-no-such-tool-xyz', [], { timeoutMs: 1000, maxBuffer: 1 << 20 })).toThrow(/could not be started/);
  });
});

describe('RTL board: boot time', () => {
  it('runs 200 byte times of the design before the line opens, never fewer than 100000 cycles', () => {
    expect(rtlBootCycles(12_000_000, 921_600)).toBe(100_000);
    // 200 bytes of 10 bit times, 104.17 cycles each, at 115200 baud: more than the old fixed 100000
    expect(rtlBootCycles(12_000_000, 115_200)).toBe(208_334);
    expect(rtlBootCycles(12_000_000, 9_600)).toBe(2_500_000);
    expect(rtlBootCycles(48_000_000, 115_200)).toBe(833_334);
  });
});

describe('line rate: OUTPUT_FRAMEs sized by the probes asked for', () => {
  const image = compileBoardImage(buildGraph(loadSpecFile('examples/teacher/network.json')), { dtMs: 0.1, frameMs: 1 }).image;
  /** An OUTPUT_FRAME of `n` values as the encoder puts it on the wire (no zero byte in it: COBS adds exactly one). */
  const outputOnWire = (n: number) => {
    const payload = encodePayload({ type: 'output-frame', frame: 0x01010101, timeUs: 0x02020202, values: new Int32Array(n).fill(0x055555) });
    expect(payload.length).toBe(framePayloadBytes(n));
    return encodeFrame({ version: 1, type: MSG.OUTPUT_FRAME, flags: 3, seq: 0x0101, ack: 0x0101, credits: 0x0303, payload }).length;
  };

  it('the OUTPUT_FRAME bytes and the frames/s follow the encoder for each probe set', () => {
    expect(image.outputs.length).toBe(3);
    expect(image.nNeurons).toBe(27);
    const cases = [
      { probes: PROBE.OUTPUT_U, values: 3 },
      { probes: PROBE.OUTPUT_U | PROBE.OUTPUT_RATE | PROBE.OUTPUT_ERROR, values: 9 },
      { probes: PROBE.ALL_U, values: 27 },
    ];
    for (const c of cases) {
      expect(probeWidth(image, c.probes)).toBe(c.values);
      for (const baud of [115_200, 921_600]) {
        const r = frameRates({ inference: 5000, learning: 9000 }, baud, image.nStimulusInputs, probeWidth(image, c.probes), 12, null);
        expect(r.line.outputFrameBytes, `probes ${c.probes}`).toBe(outputOnWire(c.values));
        expect(r.line).toEqual(lineFramesPerS(baud, image.nStimulusInputs, c.values));
        expect(r.line.framesPerS).toBeCloseTo(baud / 10 / Math.max(r.line.inputFrameBytes, outputOnWire(c.values)), 9);
      }
    }
    // all-u (27 values, 108 bytes) outweighs the 45-byte INPUT_FRAME: the output direction bounds the line
    const all = lineFramesPerS(921_600, image.nStimulusInputs, 27);
    expect(all.outputFrameBytes).toBeGreaterThan(all.inputFrameBytes);
    expect(all.framesPerS).toBeCloseTo(92_160 / all.outputFrameBytes, 9);
  });

  it('gives the bound without and with learning: the core may keep up with the line for inference and not for learning', () => {
    const line = lineFramesPerS(921_600, 6, 3).framesPerS; // about 2048 frames/s
    const r = frameRates({ inference: 4000, learning: 12_000 }, 921_600, 6, 3, 12, 24);
    expect(r.core).toEqual({ inference: 3000, learning: 1000 });
    expect(r.bound).toBe('line');
    expect(r.learningBound).toBe('core');
    expect(r.sustained.inference).toBeCloseTo(line, 9);
    expect(r.sustained.learning).toBe(1000);
    expect(r.coreAtFmax).toEqual({ inference: 6000, learning: 2000 });
    const slow = frameRates({ inference: 12_000, learning: 24_000 }, 921_600, 6, 3, 12, null);
    expect([slow.bound, slow.learningBound]).toEqual(['core', 'core']);
  });

  it('an OUTPUT_FRAME beyond MAX_PAYLOAD does not fit the gateware', () => {
    const g = gatewareCapacity();
    const small = { ...g, caps: { ...g.caps, maxPayload: framePayloadBytes(10) } };
    expect(gatewareProblems(image, 100, small, PROBE.OUTPUT_U).filter((p) => /OUTPUT_FRAME/.test(p))).toEqual([]);
    expect(gatewareProblems(image, 100, small, PROBE.ALL_U)).toContain(`bytes per OUTPUT_FRAME payload (probes 0x08): the network needs ${framePayloadBytes(27)}, the gateware holds ${framePayloadBytes(10)} (MAX_PAYLOAD)`);
  });
});

/** A copy of the gateware folder's board_top.v, vcore/vcore_board.v and firmware .hex files, with edits applied. */
function gatewareCopy(edit: { boardTop?: (t: string) => string; vcoreBoard?: (t: string) => string } = {}): string {
  const gw = mkdtempSync(join(tmpdir(), 'nla-gw-'));
  mkdirSync(join(gw, 'vcore'));
  mkdirSync(join(gw, 'firmware'));
  const top = readFileSync(join(GATEWARE, 'board_top.v'), 'utf8');
  writeFileSync(join(gw, 'board_top.v'), edit.boardTop ? edit.boardTop(top) : top);
  const vb = readFileSync(join(GATEWARE, 'vcore', 'vcore_board.v'), 'utf8');
  writeFileSync(join(gw, 'vcore', 'vcore_board.v'), edit.vcoreBoard ? edit.vcoreBoard(vb) : vb);
  for (const f of ['cpulink_vcore.hex', 'cpulink_board.hex']) copyFileSync(join(GATEWARE, 'firmware', f), join(gw, 'firmware', f));
  return gw;
}

describe('the vector-core board in the FPGA flow', () => {
  it('synthesis reads every Verilog file of gateware/, gateware/vcore/ (board_top VCORE = 1) and the soft processor', () => {
    const src = synthesisSources(GATEWARE);
    for (const d of [GATEWARE, join(GATEWARE, 'vcore')]) {
      for (const f of readdirSync(d).filter((x) => x.endsWith('.v'))) expect(src, f).toContain(join(d, f));
    }
    expect(src).toContain(join(GATEWARE, 'cpu', 'rv32_core.v'));
    expect(src).toContain(join(GATEWARE, 'cpu', 'rv32_regfile.v'));
  });

  it("the flash packs board_top's core's firmware: cpulink_vcore.hex for VCORE = 1, cpulink_board.hex for VCORE = 0", () => {
    const vc = gatewareCopy({ boardTop: (t) => t.replace(/parameter VCORE = \d+/, 'parameter VCORE = 1') });
    const nc = gatewareCopy({ boardTop: (t) => t.replace(/parameter VCORE = \d+/, 'parameter VCORE = 0') });
    expect(boardFirmwareHex(vc)).toBe(join(vc, 'firmware', 'cpulink_vcore.hex'));
    expect(boardFirmwareHex(nc)).toBe(join(nc, 'firmware', 'cpulink_board.hex'));
    for (const [gw, hex] of [[vc, 'cpulink_vcore.hex'], [nc, 'cpulink_board.hex']] as const) {
      const f = writeFirmwareFlashFile('board_top', join(gw, 'out'), gw)!;
      expect(checkFirmwareFlashImage(new Uint8Array(readFileSync(f.image)))).toEqual({ payload: readFirmwareFile(join(GATEWARE, 'firmware', hex)) });
    }
  });

  it("reads the measured core's parameters from vcore_board.v, and refuses one it cannot read or the testbench cannot be", () => {
    // the board's build is VCORE_UP5K_BUILD (gateware-capacity checks the firmware against it), its read ports included
    const p = vcoreBoardParams(gatewareCopy());
    const r = VCORE_UP5K_BUILD.readBanks;
    expect(p).toEqual({ NB: VCORE_UP5K_BUILD.banks.length, bankBits: VCORE_UP5K_BUILD.banks.map((b) => b.bits), roles: { RA: r.a, RX: r.x, RY: r.y, RS: r.s, RM: r.m }, WAW: 14 });
    expect(vcoreBuildParams(VCORE_UP5K_BUILD)).toEqual(p);
    const sample = { NB: 7, bankBits: [42, 42, 32, 32, 32, 32, 32], roles: { RA: 0x7f, RX: 0x7f, RY: 0x7f, RS: 0x7f, RM: 0x7f }, WAW: 14 };
    expect(coreioParamArgs(sample)).toEqual(['-GNB=7', "-GBW=64'h0020202020202a2a", "-GRA=8'h7f", "-GRX=8'h7f", "-GRY=8'h7f", "-GRS=8'h7f", "-GRM=8'h7f", '-GWAW=14']);
    const noBw = gatewareCopy({ vcoreBoard: (t) => t.replace(/\.BW\([^)]*\),/, '') });
    expect(() => vcoreBoardParams(noBw)).toThrow(/vcore_board\.v: the vcore instance passes no \.BW\(64'h…\)/);
    const exprRa = gatewareCopy({ vcoreBoard: (t) => t.replace(".RA(8'h7f)", '.RA(MASK)') });
    expect(() => vcoreBoardParams(exprRa)).toThrow(/vcore_board\.v: RA = MASK: expected a decimal or a sized hex literal/);
    const wide = gatewareCopy({ vcoreBoard: (t) => t.replace('localparam D = 42', 'localparam D = 48') });
    expect(() => vcoreBoardParams(wide)).toThrow(/vcore_board\.v: D 48 and PAW 7, but gateware\/sim\/vcore_coreio_top\.v measures D 42, PAW 7/);
  });
});
