import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { framePayloadBytes } from '../../hardware-models/fixed-point/capabilities.js';
import { loadImageFile } from '../../cli/board-image.js';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { gatewareCapacity, vcoreBoardBanks } from '../../host/fpga/gateware-capacity.js';
import { measureVcoreCycles } from '../../host/fpga/vcore-cycles.js';
import { checkFirmwareFlashImage, FIRMWARE_FLASH_OFFSET, firmwareFlashImage, readFirmwareFile } from '../../host/fpga/firmware-image.js';
import { topBootsFromFlash, writeFirmwareFlashFile } from '../../host/fpga/ice40-build.js';
import { isIce40Bitstream } from '../../host/fpga/flash.js';
import { lineFramesPerS } from '../../host/fpga/line-rate.js';
import { encodeFrame } from '../../host/protocol/frame.js';
import { encodePayload, MSG } from '../../host/protocol/messages.js';
import { nla } from '../cli/run-nla.js';
import { GATEWARE, hasVerilator, hasYosys } from './tools.js';

/**
 * `nla fpga build` and `nla fpga flash` (docs/fpga.md): a network that does not fit the gateware is
 * refused before any tool runs, naming what it needs and what the design holds; the cycles per frame
 * come from the RTL core; the line rate from the real frame encoder; a bitstream is built by the open
 * flow and handed to the programmer, which fails loudly when no board is attached.
 */
const dir = mkdtempSync(join(tmpdir(), 'nla-fpga-'));
const BOARD_V = join(GATEWARE, 'vcore', 'vcore_board.v');

/** Whether board_top.v's core is the vector core, read here from its text (parameter VCORE = 1), not by the library. */
function boardTopVcoreText(): boolean {
  const m = /parameter\s+VCORE\s*=\s*(\d+)/.exec(readFileSync(join(GATEWARE, 'board_top.v'), 'utf8'));
  if (!m) throw new Error('board_top.v declares no VCORE');
  return m[1] !== '0';
}
/** icepack -h exits 1: only a failure to start it says it is missing. */
const hasIcepack = spawnSync('icepack', ['-h'], { stdio: 'ignore' }).error === undefined;

/** A spec of the example's shape with `hidden` hidden neurons. */
function spec(hidden: number, extraPops = 0): string {
  const populations = [
    { name: 'in', kind: 'input', size: 6 },
    { name: 'hidden', kind: 'hidden', size: hidden, bias: true },
    ...Array.from({ length: extraPops }, (_, k) => ({ name: `h${k}`, kind: 'hidden', size: 2 })),
    { name: 'out', kind: 'output', size: 3, activation: 'linear', bias: true },
  ];
  const projections = [{ from: 'in', to: 'hidden' }, { from: 'hidden', to: 'out' }, ...Array.from({ length: extraPops }, (_, k) => ({ from: 'in', to: `h${k}` }))];
  const f = join(dir, `net-${hidden}-${extraPops}.json`);
  writeFileSync(f, JSON.stringify({ format: 'nla-network/1', name: 'big', seed: 1, tauMs: 10, beta: 0.1, activation: 'logistic', populations, projections }));
  return f;
}

describe('nla fpga build: fit and rates', () => {
  it('refuses a network larger than the gateware before any tool runs, naming need and limit (exit 2)', () => {
    const cap = gatewareCapacity();
    const r = nla(['fpga', 'build', '--image', spec(cap.caps.maxNeurons), '--estimate']);
    expect(r.code).toBe(2);
    // maxNeurons hidden + 3 outputs
    expect(r.err).toContain(`neurons: the network needs ${cap.caps.maxNeurons + 3}, the gateware holds ${cap.caps.maxNeurons} (MAX_NEURONS)`);
    const many = nla(['fpga', 'build', '--image', spec(4, cap.vcore ? 8 : cap.internal.populations), '--estimate']);
    expect(many.code).toBe(2);
    if (cap.vcore) {
      // the vector core: what the image compiler refuses for the build the firmware announces (here its program memory)
      const m = /the vector core \(VCORE_UP5K_BUILD\): it needs (\d+) instructions, the core holds (\d+)/.exec(many.err);
      expect(m, many.err).not.toBeNull();
      expect(Number(m![2])).toBe(cap.vcore.instructions);
      expect(Number(m![1])).toBeGreaterThan(cap.vcore.instructions);
    } else expect(many.err).toMatch(new RegExp(`populations: the network needs ${cap.internal.populations + 4}, the gateware holds ${cap.internal.populations} \\(MAX_POPS of nla_core\\)`));
    expect(nla(['fpga', 'build', '--image', spec(4), '--top', 'frame_echo_top', '--estimate']).code).toBe(2);
    expect(nla(['fpga', 'build', '--board', 'ulx3s', '--estimate']).err).toMatch(/unknown board 'ulx3s': known boards are icebreaker/);
    // --estimate estimates a network: without one it is a usage error, not an empty report
    const bare = nla(['fpga', 'build', '--estimate', '--out', join(dir, 'bare')]);
    expect(bare.code).toBe(2);
    expect(bare.err).toMatch(/--estimate needs --image/);
    expect(nla(['fpga', 'build', '--image', spec(4), '--probe', 'u,all-u', '--estimate']).err).toMatch(/give one of u and all-u/);
  });

  it('the line figures follow the real frame encoder (exact below 254 bytes, an upper bound above): bytes per frame and frames/s at each documented baud', () => {
    for (const n of [6, 60, 300, 1000]) {
      const payload = new Uint8Array(framePayloadBytes(n)).fill(0x55);
      const frame = { version: 1, type: 0x20, flags: 1, seq: 0x0101, ack: 0x0101, credits: 0x0303, payload };
      const onWire = encodeFrame(frame).length; // the 0x00 delimiter included
      for (const baud of [115_200, 921_600]) {
        const r = lineFramesPerS(baud, n, 1);
        // below 254 raw bytes COBS adds exactly one byte; above, at most one per 254 (zeros in the header and CRC can save one)
        if (framePayloadBytes(n) + 15 < 254) expect(r.inputFrameBytes).toBe(onWire);
        else {
          expect(r.inputFrameBytes).toBeGreaterThanOrEqual(onWire);
          expect(r.inputFrameBytes - onWire).toBeLessThanOrEqual(Math.floor((framePayloadBytes(n) + 15) / 254));
        }
        expect(r.framesPerS).toBeCloseTo(baud / 10 / r.inputFrameBytes, 9);
      }
    }
  });

  it.skipIf(!hasVerilator)('--estimate: the example fits; its cycles per frame on the RTL core and the frames/s against a 921600-baud line, without and with learning, OUTPUT_FRAMEs sized by --probe', () => {
    type Rep = {
      network: {
        neurons: number;
        synapses: number;
        outputValues: number;
        plasticProjections: number;
        cyclesPerFrame: { inference: number; learning: number };
        installCycles: number;
        imageBytes: number;
        core: string;
        vcore: { params: { bankBits: number[] } } | null;
      };
      rates: { line: { inputFrameBytes: number; outputFrameBytes: number; framesPerS: number }; core: { inference: number; learning: number }; bound: string; learningBound: string };
    };
    /** An OUTPUT_FRAME of `n` values on the wire, as the encoder makes it. */
    const outputOnWire = (n: number) =>
      encodeFrame({ version: 1, type: MSG.OUTPUT_FRAME, flags: 3, seq: 0x0101, ack: 0x0101, credits: 0x0303, payload: encodePayload({ type: 'output-frame', frame: 0x01010101, timeUs: 0x02020202, values: new Int32Array(n).fill(0x055555) }) }).length;
    const r = nla(['fpga', 'build', '--image', 'examples/teacher/network.json', '--estimate', '--json', '--out', join(dir, 'est')]);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(r.out) as Rep;
    expect(rep.network.neurons).toBe(27);
    expect(rep.network.synapses).toBe(243);
    const cap = gatewareCapacity();
    expect(rep.network.core).toBe(boardTopVcoreText() ? 'vcore' : 'nla_core');
    if (cap.vcore) {
      // the vector core's cycles: measured on vcore_board.v's core (its banks, not the generic build's), equal to the
      // library's measurement of the same image; the image bytes are the NLAV image the host sends that board
      const { image } = loadImageFile('examples/teacher/network.json');
      const m = measureVcoreCycles(image, cap.vcore);
      expect(rep.network.vcore!.params.bankBits).toEqual(vcoreBoardBanks(readFileSync(BOARD_V, 'utf8'), BOARD_V));
      expect(rep.network.cyclesPerFrame).toEqual({ inference: Math.max(...m.inference), learning: Math.max(...m.learning) });
      expect(rep.network.installCycles).toBe(m.install.cycles);
      expect(rep.network.imageBytes).toBe(compileVcoreImage(image, cap.vcore).length);
      expect(r.err).toMatch(/on the RTL vector core/);
    }
    // learning adds the weight update to every step
    expect(rep.network.cyclesPerFrame.learning).toBeGreaterThan(rep.network.cyclesPerFrame.inference);
    expect(rep.rates.core.inference).toBeCloseTo(12e6 / rep.network.cyclesPerFrame.inference, 6);
    expect(rep.rates.core.learning).toBeCloseTo(12e6 / rep.network.cyclesPerFrame.learning, 6);
    expect(rep.rates.line.inputFrameBytes).toBe(45);
    // the default probe u: the 3 outputs' u
    expect(rep.network.outputValues).toBe(3);
    expect(rep.rates.line.outputFrameBytes).toBe(outputOnWire(3));
    expect(rep.rates.bound).toBe(rep.rates.core.inference >= rep.rates.line.framesPerS ? 'line' : 'core');
    expect(rep.rates.learningBound).toBe(rep.rates.core.learning >= rep.rates.line.framesPerS ? 'line' : 'core');
    expect(JSON.parse(readFileSync(join(dir, 'est', 'report.json'), 'utf8'))).toEqual(rep);
    // every neuron's u: 27 values a frame, a longer OUTPUT_FRAME than the INPUT_FRAME, which then bounds the line
    const all = nla(['fpga', 'build', '--image', 'examples/teacher/network.json', '--estimate', '--probe', 'all-u', '--json', '--out', join(dir, 'est-all')]);
    expect(all.code, all.err).toBe(0);
    const repAll = JSON.parse(all.out) as Rep;
    expect(repAll.network.outputValues).toBe(27);
    expect(repAll.rates.line.outputFrameBytes).toBe(outputOnWire(27));
    expect(repAll.rates.line.framesPerS).toBeCloseTo(92_160 / outputOnWire(27), 9);
    // the text report gives both verdicts
    const text = nla(['fpga', 'build', '--image', 'examples/teacher/network.json', '--estimate', '--out', join(dir, 'est-text')]);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/\n  inference: the (line|core) is the bound/);
    expect(text.out).toMatch(/\n  learning \((\d+ plastic projections?|no projection is plastic[^)]*)\): the (line|core) is the bound/);
    expect(text.out).toMatch(/per OUTPUT_FRAME of 3 values \(probes u;/);
  }, 300_000);
});

describe.skipIf(!hasYosys)('nla fpga build and flash through the open flow', () => {
  it.skipIf(!hasIcepack)('builds the link blocks (frame_echo_top) into a bitstream; flash hands it to iceprog, which finds no board here (exit 4)', () => {
    const out = join(dir, 'echo');
    const r = nla(['fpga', 'build', '--top', 'frame_echo_top', '--out', out, '--json']);
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(r.out) as { fits: boolean; build: { fmaxMHz: number; clockMHz: number; ebr: number; bin: string } };
    expect(rep.fits).toBe(true);
    expect(rep.build.fmaxMHz).toBeGreaterThanOrEqual(rep.build.clockMHz);
    expect(Number.isFinite(rep.build.fmaxMHz)).toBe(true);
    expect(r.err).toMatch(/synthesis: yosys/);
    expect(r.err).toMatch(/place and route: nextpnr-ice40/);
    // a build that passes has its bitstream (the build refuses to start without icepack)
    expect(rep.build.bin).toBe(join(out, 'design.bin'));
    expect(existsSync(rep.build.bin)).toBe(true);
    const bin = readFileSync(rep.build.bin);
    expect(isIce40Bitstream(bin)).toBe(true);
    // nextpnr's own report is kept apart from the CLI's report.json
    expect(existsSync(join(out, 'nextpnr-report.json'))).toBe(true);
    // the link blocks run no firmware: no flash image beside the bitstream
    expect((JSON.parse(r.out) as { firmware: unknown }).firmware).toBeNull();
    expect(existsSync(join(out, 'firmware-flash.bin'))).toBe(false);
    const dry = nla(['fpga', 'flash', '--bin', rep.build.bin, '--dry-run']);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out.trim()).toMatch(new RegExp(`^(iceprog|openFPGALoader -b ice40_generic -f) ${rep.build.bin}$`));
    expect(nla(['fpga', 'flash', '--bin', rep.build.bin, '--sram', '--dry-run']).out).toMatch(/^(iceprog -S|openFPGALoader -b ice40_generic) /);
    const hasIceprog = spawnSync('iceprog', ['--help']).error === undefined;
    if (hasIceprog && !process.env.NLA_TEST_ICE40_ATTACHED) {
      const f = nla(['fpga', 'flash', '--bin', rep.build.bin, '--tool', 'iceprog']);
      expect(f.code).toBe(4);
      expect(f.err).toMatch(/iceprog .* failed \(exit \d+\): .*(Can't find|ABORT)/);
    }
  }, 300_000);

  it('refuses to build without icepack, before anything runs, naming the tool and its package (exit 2)', () => {
    // a PATH with yosys and nextpnr-ice40 only
    const bin = mkdtempSync(join(tmpdir(), 'nla-fpga-path-'));
    for (const t of ['yosys', 'nextpnr-ice40']) {
      const at = spawnSync('sh', ['-c', `command -v ${t}`], { encoding: 'utf8' }).stdout.trim();
      symlinkSync(at, join(bin, t));
    }
    const r = nla(['fpga', 'build', '--top', 'frame_echo_top', '--out', join(dir, 'no-icepack')], { ...process.env, PATH: bin });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not installed: icepack \(Debian\/Ubuntu: apt-get install fpga-icestorm\)/);
    expect(r.err).not.toMatch(/synthesis: yosys/);
  });

  it('flash refuses a file that is not a bitstream, or a missing one (exit 2)', () => {
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, 'not a bitstream');
    expect(nla(['fpga', 'flash', '--bin', junk, '--dry-run']).err).toMatch(/not an iCE40 bitstream/);
    expect(nla(['fpga', 'flash', '--bin', join(dir, 'none.bin'), '--dry-run']).code).toBe(2);
    expect(nla(['fpga', 'flash', '--bin', junk, '--tool', 'quartus_pgm']).code).toBe(2);
  });
});

describe('nla fpga build: the firmware image beside the bitstream of a top that boots from the flash', () => {
  it('board_top (the boot ROM on the flash pins) gets <out>/firmware-flash.bin, the committed firmware packed for the boot ROM, and the iceprog runs that write both; frame_echo_top none', () => {
    const out = join(dir, 'fw-out');
    const f = writeFirmwareFlashFile('board_top', out)!;
    expect(f).not.toBeNull();
    // board_top's core's firmware: cpulink_vcore.hex where its VCORE is 1 (the vector core), cpulink_board.hex for nla_core
    const fwFile = join(GATEWARE, 'firmware', boardTopVcoreText() ? 'cpulink_vcore.hex' : 'cpulink_board.hex');
    expect(f.firmware).toBe(fwFile);
    const fw = readFirmwareFile(fwFile);
    expect(f.firmwareBytes).toBe(fw.length);
    expect(f.image).toBe(join(out, 'firmware-flash.bin'));
    expect(readFileSync(f.image)).toEqual(Buffer.from(firmwareFlashImage(fw)));
    expect(checkFirmwareFlashImage(new Uint8Array(readFileSync(f.image)))).toEqual({ payload: fw });
    expect(f.offset).toBe(FIRMWARE_FLASH_OFFSET);
    expect(f.commands).toEqual([`iceprog -o 1048576 ${f.image}`, `iceprog ${join(out, 'design.bin')}`]);
    expect(topBootsFromFlash(GATEWARE, 'board_top')).toBe(true);
    expect(writeFirmwareFlashFile('frame_echo_top', join(dir, 'fw-echo'))).toBeNull();
    expect(existsSync(join(dir, 'fw-echo', 'firmware-flash.bin'))).toBe(false);
  });
});

describe('nla fpga flash --firmware: the soft CPU firmware image at 1 MiB, then the bitstream', () => {
  // a bitstream as far as flash checks it (the preamble after a comment block), and stand-in programmers
  // that log their arguments (nothing can be attached here): a PATH holding only them
  const fdir = mkdtempSync(join(tmpdir(), 'nla-fpga-fw-'));
  const bit = join(fdir, 'design.bin');
  writeFileSync(bit, Buffer.concat([Buffer.from([0xff, 0x00, 0x00, 0xff, 0x7e, 0xaa, 0x99, 0x7e]), Buffer.alloc(104_082, 0x55)]));
  const fw = join(fdir, 'fw.bin');
  const fwBytes = Uint8Array.from({ length: 10_683 }, (_, i) => (i * 37 + (i >> 8)) & 0xff);
  writeFileSync(fw, fwBytes);
  const path = join(fdir, 'bin');
  mkdirSync(path);
  const log = join(fdir, 'calls.log');
  for (const t of ['iceprog', 'openFPGALoader']) {
    // fails when FAIL_ON names its first non-option argument's basename
    writeFileSync(join(path, t), `#!/bin/sh\n[ "$1" = --help ] && exit 0\necho "${t} $*" >> ${log}\nfor a; do last=$a; done\n[ -n "$FAIL_ON" ] && [ "\${last##*/}" = "$FAIL_ON" ] && { echo "ABORT: no board" >&2; exit 3; }\nexit 0\n`, { mode: 0o755 });
  }
  const env = (extra: Record<string, string> = {}) => ({ ...process.env, PATH: path, ...extra });
  const image = join(fdir, 'firmware-flash.bin');

  it('--dry-run prints the firmware write at offset 1048576 first, then the bitstream, for both programmers and --sram; the image is header + payload', () => {
    const r = nla(['fpga', 'flash', '--bin', bit, '--firmware', fw, '--dry-run'], env());
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim().split('\n')).toEqual([`iceprog -o 1048576 ${image}`, `iceprog ${bit}`]);
    expect(readFileSync(image)).toEqual(Buffer.from(firmwareFlashImage(fwBytes)));
    expect(checkFirmwareFlashImage(readFileSync(image))).toEqual({ payload: Buffer.from(fwBytes.length & 1 ? [...fwBytes, 0] : fwBytes) });
    expect(nla(['fpga', 'flash', '--bin', bit, '--firmware', fw, '--sram', '--dry-run'], env()).out.trim().split('\n')).toEqual([`iceprog -o 1048576 ${image}`, `iceprog -S ${bit}`]);
    expect(nla(['fpga', 'flash', '--bin', bit, '--firmware', fw, '--tool', 'openFPGALoader', '--dry-run'], env()).out.trim().split('\n')).toEqual([
      `openFPGALoader -b ice40_generic -f -o 1048576 ${image}`,
      `openFPGALoader -b ice40_generic -f ${bit}`,
    ]);
    expect(nla(['fpga', 'flash', '--bin', bit, '--firmware', fw, '--tool', 'openFPGALoader', '--sram', '--dry-run'], env()).out.trim().split('\n')).toEqual([
      `openFPGALoader -b ice40_generic -f -o 1048576 ${image}`,
      `openFPGALoader -b ice40_generic ${bit}`,
    ]);
    // without --firmware: the bitstream alone, as before
    expect(nla(['fpga', 'flash', '--bin', bit, '--dry-run'], env()).out.trim()).toBe(`iceprog ${bit}`);
    // a bare --firmware: board_top's committed firmware (cpulink_vcore.hex on the vector-core board)
    const bare = nla(['fpga', 'flash', '--bin', bit, '--firmware', '--dry-run'], env());
    expect(bare.code, bare.err).toBe(0);
    expect(bare.out.trim().split('\n')).toEqual([`iceprog -o 1048576 ${image}`, `iceprog ${bit}`]);
    const boardFw = readFirmwareFile(join(GATEWARE, 'firmware', boardTopVcoreText() ? 'cpulink_vcore.hex' : 'cpulink_board.hex'));
    expect(checkFirmwareFlashImage(new Uint8Array(readFileSync(image)))).toEqual({ payload: boardFw });
  });

  it("a bitstream whose build report says its top boots from the flash gets the report's firmware too (said on stderr); --no-firmware writes the bitstream alone; a broken report is refused (exit 2)", () => {
    const bdir = mkdtempSync(join(tmpdir(), 'nla-fpga-report-'));
    const b = join(bdir, 'design.bin');
    writeFileSync(b, readFileSync(bit));
    const bImage = join(bdir, 'firmware-flash.bin');
    // without a report: the bitstream alone
    expect(nla(['fpga', 'flash', '--bin', b, '--dry-run'], env()).out.trim()).toBe(`iceprog ${b}`);
    writeFileSync(join(bdir, 'report.json'), JSON.stringify({ top: 'board_top', firmware: { firmware: fw } }));
    const r = nla(['fpga', 'flash', '--bin', b, '--dry-run'], env());
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim().split('\n')).toEqual([`iceprog -o 1048576 ${bImage}`, `iceprog ${b}`]);
    expect(r.err).toMatch(/report\.json: the top board_top boots its firmware from the flash: also writing .*fw\.bin/);
    expect(readFileSync(bImage)).toEqual(Buffer.from(firmwareFlashImage(fwBytes)));
    expect(nla(['fpga', 'flash', '--bin', b, '--no-firmware', '--dry-run'], env()).out.trim()).toBe(`iceprog ${b}`);
    // a top without firmware (frame_echo_top's report has firmware: null)
    writeFileSync(join(bdir, 'report.json'), JSON.stringify({ top: 'frame_echo_top', firmware: null }));
    expect(nla(['fpga', 'flash', '--bin', b, '--dry-run'], env()).out.trim()).toBe(`iceprog ${b}`);
    writeFileSync(join(bdir, 'report.json'), '{"top": "board_top", "firmware": ');
    const bad = nla(['fpga', 'flash', '--bin', b, '--dry-run'], env());
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/report\.json: not the JSON nla fpga build writes .*--firmware <file> or --no-firmware/);
  });

  it('runs the firmware write, then the bitstream; a failed firmware write stops before the bitstream (exit 4)', () => {
    rmSync(log, { force: true });
    const r = nla(['fpga', 'flash', '--bin', bit, '--firmware', fw], env());
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([`iceprog -o 1048576 ${image}`, `iceprog ${bit}`]);
    expect(r.out).toMatch(/flashed .*design\.bin and the firmware .*fw\.bin to the icebreaker/);
    rmSync(log, { force: true });
    const f = nla(['fpga', 'flash', '--bin', bit, '--firmware', fw], env({ FAIL_ON: 'firmware-flash.bin' }));
    expect(f.code).toBe(4);
    expect(f.err).toMatch(/iceprog -o 1048576 .*firmware-flash\.bin failed \(exit 3\): ABORT: no board/);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([`iceprog -o 1048576 ${image}`]);
  });

  it('refuses a missing firmware, one larger than the CPU RAM, or a bitstream reaching 1 MiB (exit 2), before any programmer runs', () => {
    rmSync(log, { force: true });
    const missing = nla(['fpga', 'flash', '--bin', bit, '--firmware', join(fdir, 'none.bin')], env());
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/--firmware: .*none\.bin does not exist/);
    const big = join(fdir, 'big.bin');
    writeFileSync(big, new Uint8Array(32_769));
    const tooBig = nla(['fpga', 'flash', '--bin', bit, '--firmware', big], env());
    expect(tooBig.code).toBe(2);
    expect(tooBig.err).toMatch(/32769 bytes; the CPU's RAM \(the boot ROM's MAX_BYTES\) holds 32768/);
    const hugeBit = join(fdir, 'huge.bin');
    writeFileSync(hugeBit, Buffer.concat([Buffer.from([0x7e, 0xaa, 0x99, 0x7e]), Buffer.alloc(0x100000 - 3)]));
    const overlap = nla(['fpga', 'flash', '--bin', hugeBit, '--firmware', fw], env());
    expect(overlap.code).toBe(2);
    expect(overlap.err).toMatch(/the bitstream \(1048577 bytes\) reaches the firmware's place in the flash \(1048576\)/);
    expect(existsSync(log)).toBe(false);
  });
});
