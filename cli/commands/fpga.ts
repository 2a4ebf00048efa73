import type { Command } from 'commander';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { positiveInt } from '../../core/option-values.js';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { probeWidth, synapseCount, type BoardImage } from '../../hardware-models/fixed-point/image.js';
import type { VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { measureCoreCycles } from '../../host/fpga/core-sim.js';
import { flashBitstream, flashCommands } from '../../host/fpga/flash.js';
import { gatewareCapacity, gatewareProblems } from '../../host/fpga/gateware-capacity.js';
import { boardFirmwareHex, buildIce40, FpgaBuildError, ice40Board, writeFirmwareFlashFile, type FirmwareFlashFile, type Ice40BuildResult } from '../../host/fpga/ice40-build.js';
import { frameRates, type FrameRates } from '../../host/fpga/line-rate.js';
import { measureVcoreCycles, type VcoreCycles } from '../../host/fpga/vcore-cycles.js';
import { loadImageFile } from '../board-image.js';
import { parseProbeMask } from './stream.js';

interface BuildOpts {
  board: string;
  image?: string;
  baud: string;
  out?: string;
  top: string;
  seed: string;
  probe: string;
  estimate?: boolean;
  json?: boolean;
}

interface FlashOpts {
  board: string;
  bin?: string;
  tool?: string;
  sram?: boolean;
  /** A file, true (bare --firmware: board_top's committed firmware), absent (then the build's report decides), or false (--no-firmware). */
  firmware?: string | boolean;
  dryRun?: boolean;
}

/** The network's figures against the gateware's, and its cycles on the RTL core. */
interface NetworkReport {
  file: string;
  network: string;
  neurons: number;
  inputs: number;
  stimulusInputs: number;
  outputs: number;
  synapses: number;
  imageBytes: number;
  /** Projections with a learning rate (etaDtQ24 ≠ 0): what LEARN = 1 changes. */
  plasticProjections: number;
  /** The probe mask the stream asks for (--probe), its names, and the values each OUTPUT_FRAME then carries. */
  probes: number;
  probeNames: string;
  outputValues: number;
  installCycles: number;
  cyclesPerFrame: { inference: number; learning: number };
  /** Which core board_top carries (its VCORE): the vector core or nla_core; the cycles are measured on its RTL. */
  core: 'vcore' | 'nla_core';
  /**
   * The vector core's measurement (host/fpga/vcore-cycles.ts): the parameters of the core measured (vcore_board.v's),
   * the install's window accesses and reset run, the window accesses per frame beside the run; null for nla_core.
   */
  vcore: Omit<VcoreCycles, 'inference' | 'learning'> | null;
}

/** `nla fpga build` and `nla fpga flash`: the gateware onto an iCE40 board (docs/fpga.md). */
export function registerFpga(program: Command): void {
  const fpga = program.command('fpga').description('the reference FPGA board (gateware/): build a bitstream for an iCE40 board and flash it (docs/fpga.md)');
  fpga
    .command('build')
    .description('check that a network fits the gateware, measure its cycles per frame on the RTL core (Verilator), then synthesise, place and route and pack the board (yosys, nextpnr-ice40, icepack)')
    .option('--board <name>', 'target board (pins, device, clock)', 'icebreaker')
    .option('--image <file>', 'the network to report for: a board image (nla image --out) or a network spec compiled here')
    .option('--baud <n>', "the design's UART baud rate", '921600')
    .option('--out <dir>', 'output folder: design.json, design.asc, design.bin, firmware-flash.bin (a top that boots from the flash: board_top), logs and report.json (default build/fpga/<board>)')
    .option('--top <module>', 'the gateware top to build (frame_echo_top builds the link blocks alone)', 'board_top')
    .option('--seed <n>', 'nextpnr placer seed', '1')
    .option('--probe <list>', 'what each OUTPUT_FRAME of the stream carries (sizes the line rate): u, rate, error (of the outputs), all-u (every neuron)', 'u')
    .option('--estimate', 'with --image: stop after the fit check and the cycle measurement (no synthesis: it takes minutes)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      '\nThe default top, board_top (the whole board), does not fit the iCE40 UP5K today: its build stops after\n' +
        'synthesis with exit 5, and <out>/report.json names each shortfall (what it needs, what the part has).\n' +
        '--top frame_echo_top (the link blocks alone) fits and gives a bitstream.\n' +
        '\nExamples:\n  nla fpga build --image examples/teacher/network.json --out build/icebreaker\n  nla fpga build --image net.img --estimate --probe u,error\n  nla fpga build --top frame_echo_top --out build/echo',
    )
    .action(async (o: BuildOpts) => {
      const say = (s: string) => process.stderr.write(`fpga: ${s}\n`);
      const board = ice40Board(o.board);
      const baud = positiveInt(o.baud, '--baud');
      const seed = positiveInt(o.seed, '--seed');
      if (o.estimate && !o.image) throw new UsageError('--estimate needs --image: it estimates a network (fit, cycles per frame, frames/s); without one there is nothing to estimate (run without --estimate to build the board)');
      const probes = parseProbeMask(o.probe);
      const out = resolve(o.out ?? join('build', 'fpga', o.board));
      const network = o.image ? reportNetwork(o.image, o.top, probes, say) : null;
      const clockMHz = board.clkHz / 1e6;
      let build: Ice40BuildResult | null = null;
      let failure: FpgaBuildError | null = null;
      // a top that boots its soft processor from the flash (board_top) needs the firmware image there too
      const firmware = o.estimate ? null : writeFirmwareFlashFile(o.top, out);
      if (!o.estimate) {
        try {
          build = await buildIce40({ top: o.top, board: o.board, baud, outDir: out, seed, onProgress: say });
        } catch (e) {
          if (!(e instanceof FpgaBuildError)) throw e;
          failure = e;
        }
      }
      const rates = network ? frameRates(network.cyclesPerFrame, baud, network.stimulusInputs, network.outputValues, clockMHz, build?.fmaxMHz ?? null) : null;
      const report = { board: o.board, part: board.part, top: o.top, baud, clockMHz, network, build, fits: failure === null, failure: failure ? { message: failure.message, needs: failure.needs, synthesis: failure.synthesis } : null, rates, firmware };
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'report.json'), JSON.stringify(report, null, 2) + '\n');
      process.stdout.write(o.json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report) + '\n');
      if (failure) process.exitCode = 5;
    });
  fpga
    .command('flash')
    .description('write a bitstream to an attached board with iceprog or openFPGALoader (the SPI flash, or the FPGA alone with --sram)')
    .option('--board <name>', 'target board', 'icebreaker')
    .option('--bin <file>', 'the bitstream (default build/fpga/<board>/design.bin, what nla fpga build wrote)')
    .option('--tool <name>', 'programmer: iceprog or openFPGALoader (default: the first installed)')
    .option('--sram', "configure the FPGA directly (lost at power-off) instead of writing the board's flash")
    .option('--firmware [file]', "also write the soft CPU's firmware (objcopy -O binary, or a .hex of 16/32-bit words; without a file: board_top's committed firmware, gateware/firmware/cpulink_vcore.hex for the vector core (VCORE = 1), cpulink_board.hex for nla_core) to the flash at 1 MiB, where cpu_link's boot ROM (gateware/firmware/rv32/boot_rom.S) copies it into the CPU's RAM at power-up (written first, as <bin dir>/firmware-flash.bin: header + payload)")
    .option('--no-firmware', "write the bitstream alone, even where the build's report.json says its top boots its firmware from the flash")
    .option('--dry-run', 'print the programmer commands (and write the firmware image) and stop')
    .addHelpText(
      'after',
      '\nExamples:\n  nla fpga flash\n  nla fpga flash --firmware                        # and board_top\'s committed firmware (cpulink_vcore.hex on the vector-core board)\n  nla fpga flash --bin build/icebreaker/design.bin --tool openFPGALoader --sram\n  nla fpga flash --firmware build/fw/fw.bin        # iceprog -o 1048576 .../firmware-flash.bin, then iceprog design.bin',
    )
    .action(async (o: FlashOpts) => {
      const bin = o.bin ?? join('build', 'fpga', o.board, 'design.bin');
      const firmware = o.firmware === false ? undefined : o.firmware === true ? boardFirmwareHex() : (o.firmware ?? buildFirmware(bin, (s) => process.stderr.write(s)));
      const req = { bin, board: o.board, ...(o.tool ? { tool: o.tool } : {}), ...(o.sram ? { sram: true } : {}), ...(firmware ? { firmware } : {}) };
      for (const cmd of flashCommands(req)) process.stdout.write(`${cmd.tool} ${cmd.args.join(' ')}\n`);
      if (o.dryRun) return;
      await flashBitstream(req, (s) => process.stderr.write(s));
      process.stdout.write(`flashed ${bin}${firmware ? ` and the firmware ${firmware}` : ''} to the ${o.board}\n`);
    });
}

/**
 * The firmware a bitstream needs, from the report.json that `nla fpga build` wrote beside it: a top that
 * boots its soft processor from the flash (board_top) is dead without it (the boot ROM finds no image: red
 * LED), so it is written too unless --no-firmware. Undefined when there is no report or its top needs none.
 */
function buildFirmware(bin: string, say: (s: string) => void): string | undefined {
  const reportFile = join(dirname(bin), 'report.json');
  if (!existsSync(reportFile)) return undefined;
  let report: { top?: unknown; firmware?: { firmware?: unknown } | null };
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as typeof report;
  } catch (e) {
    throw new UsageError(`${reportFile}: not the JSON nla fpga build writes (${(e as Error).message}); pass --firmware <file> or --no-firmware`);
  }
  const fw = report.firmware?.firmware;
  if (fw === undefined) return undefined;
  if (typeof fw !== 'string') throw new UsageError(`${reportFile}: firmware.firmware is not a file name; pass --firmware <file> or --no-firmware`);
  say(`${reportFile}: the top ${String(report.top)} boots its firmware from the flash: also writing ${fw} (--no-firmware: the bitstream alone)\n`);
  return fw;
}

/** Loads the network, refuses it if it does not fit the gateware, and measures its cycles on the RTL core. */
function reportNetwork(file: string, top: string, probes: number, say: (s: string) => void): NetworkReport {
  if (top !== 'board_top') throw new UsageError(`--image: the top ${top} has no fixed-point core; give --image only with --top board_top`);
  const { image, bytes } = loadImageFile(file);
  const cap = gatewareCapacity();
  const problems = gatewareProblems(image, bytes.length, cap, probes);
  if (problems.length) throw new UsageError(`${file}: the network does not fit the gateware:\n  ${problems.join('\n  ')}`);
  const c = cap.vcore ? vectorCoreCycles(image, cap.vcore, probes, say) : nlaCoreCycles(file, image, bytes, probes, say);
  return {
    file,
    network: image.network,
    neurons: image.nNeurons,
    inputs: image.nInputs,
    stimulusInputs: image.nStimulusInputs,
    outputs: image.outputs.length,
    synapses: synapseCount(image),
    imageBytes: c.imageBytes,
    plasticProjections: image.projections.filter((p) => p.etaDtQ24 !== 0).length,
    probes,
    probeNames: probeNames(probes),
    outputValues: probeWidth(image, probes),
    installCycles: c.installCycles,
    // the most any frame took (a frame that applies newly committed targets takes a few cycles more)
    cyclesPerFrame: { inference: Math.max(...c.inference), learning: Math.max(...c.learning) },
    core: cap.vcore ? 'vcore' : 'nla_core',
    vcore: c.vcore,
  };
}

/** A core's measured cycles for the report: the image's bytes on that core, install, each frame's cycles. */
interface MeasuredCycles {
  imageBytes: number;
  installCycles: number;
  inference: number[];
  learning: number[];
  vcore: NetworkReport['vcore'];
}

/** nla_core (board_top VCORE = 0): the board image installed and run on gateware/nla_core.v (host/fpga/core-sim.ts). */
function nlaCoreCycles(file: string, image: BoardImage, bytes: Uint8Array, probes: number, say: (s: string) => void): MeasuredCycles {
  say(`measuring cycles per frame on the RTL core, nla_core (Verilator; the first run builds the model, about 30 s)`);
  const c = measureCoreCycles(bytes, image.nStimulusInputs, image.outputs.length, 3, probes);
  if (c.load.result !== 0) throw new UsageError(`${file}: the RTL core refused the image (${c.load.result === 2 ? 'CAPACITY' : 'BAD_IMAGE'} at byte ${c.load.errOffset})`);
  return { imageBytes: bytes.length, installCycles: c.load.cycles, inference: c.inference, learning: c.learning, vcore: null };
}

/**
 * The vector core (board_top VCORE = 1): the image compiled for the build the firmware announces, the firmware's
 * register accesses replayed on the board's vcore (vcore_board.v's parameters) under Verilator (host/fpga/vcore-cycles.ts).
 */
function vectorCoreCycles(image: BoardImage, build: VcoreBuild, probes: number, say: (s: string) => void): MeasuredCycles {
  say(`measuring cycles per frame on the RTL vector core (the firmware's accesses replayed on vcore_coreio + vcore under Verilator; the first run builds the model, about 40 s)`);
  const { inference, learning, ...rest } = measureVcoreCycles(image, build, { probes });
  return { imageBytes: compileVcoreImage(image, build).length, installCycles: rest.install.cycles, inference, learning, vcore: rest };
}

/** The names of a probe mask, as --probe takes them. */
function probeNames(mask: number): string {
  return (['u', 'rate', 'error', 'all-u'] as const).filter((_, k) => mask & (1 << k)).join(',');
}

function formatReport(r: {
  board: string;
  part: string;
  top: string;
  baud: number;
  clockMHz: number;
  network: NetworkReport | null;
  build: Ice40BuildResult | null;
  failure: { message: string } | null;
  rates: FrameRates | null;
  firmware: FirmwareFlashFile | null;
}): string {
  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  const lines: string[] = [];
  if (r.failure) lines.push(`NOT BUILT: ${r.failure.message}`);
  else if (r.build) lines.push(`built ${r.top} for ${r.board} (${r.part}): fmax ${r.build.fmaxMHz.toFixed(1)} MHz against the ${r.clockMHz} MHz clock; bitstream ${r.build.bin}`);
  if (r.rates && r.network) {
    const { line, core } = r.rates;
    const n = r.network;
    const verdict = (bound: string, coreRate: number) => (bound === 'line' ? 'the line is the bound (the core keeps up)' : `the core is the bound (${(line.framesPerS / coreRate).toFixed(1)}× short of the line)`);
    const learnWhy = n.plasticProjections ? `${n.plasticProjections} plastic projection${n.plasticProjections > 1 ? 's' : ''}` : 'no projection is plastic: learning changes no weight';
    lines.push(`frames/s at ${r.clockMHz} MHz: core ${f(core.inference)} inference, ${f(core.learning)} learning (LEARN=1); line ${f(line.framesPerS)} at ${r.baud} baud (probes ${n.probeNames})`);
    lines.push(`  inference: ${verdict(r.rates.bound, core.inference)}; ${f(r.rates.sustained.inference)} frames/s`);
    lines.push(`  learning (${learnWhy}): ${verdict(r.rates.learningBound, core.learning)}; ${f(r.rates.sustained.learning)} frames/s`);
  }
  if (r.network) {
    const n = r.network;
    lines.push(`network ${n.network} (${n.file}): ${n.neurons} neurons, ${n.inputs} input units (${n.stimulusInputs} stimulus), ${n.outputs} outputs, ${n.synapses} synapses, ${n.imageBytes} image bytes: fits the gateware`);
    if (n.vcore) {
      const v = n.vcore;
      lines.push(`  RTL vector core (vcore_board.v: ${v.params.NB} banks of ${v.params.bankBits.join('/')} bits): ${f(n.cyclesPerFrame.inference)} cycles/frame inference, ${f(n.cyclesPerFrame.learning)} learning (a frame's run, start to halt; ${v.frameAccesses.inference} window accesses a frame beside it)`);
      lines.push(`  install: ${f(v.install.accesses)} window accesses and a reset run of ${f(v.install.resetRunCycles)} cycles: ${f(n.installCycles)} cycles at 3 an access (the soft processor takes more a store)`);
    } else lines.push(`  RTL core: ${f(n.cyclesPerFrame.inference)} cycles/frame inference, ${f(n.cyclesPerFrame.learning)} learning; image installed in ${f(n.installCycles)} cycles`);
    if (r.rates) lines.push(`  line: ${r.rates.line.inputFrameBytes} bytes per INPUT_FRAME, ${r.rates.line.outputFrameBytes} per OUTPUT_FRAME of ${n.outputValues} values (probes ${n.probeNames}; 10 bit times a byte)`);
  }
  const b = r.build;
  if (b) lines.push(`resources: ${b.luts} LUT4, ${b.carries} carries, ${b.flipFlops} flip-flops, ${b.logicCells}/${b.logicCellsAvailable} logic cells, ${b.ebr} EBR, ${b.dsp} DSP, ${b.spram} SPRAM; yosys ${(b.yosysMs / 1000).toFixed(0)} s, nextpnr ${(b.pnrMs / 1000).toFixed(0)} s`);
  const fw = r.firmware;
  if (fw) {
    lines.push(`firmware: ${fw.image} (${fw.firmwareBytes} B of ${fw.firmware}, header + CRC-32): the boot ROM copies it from the flash at ${fw.offset} into the soft CPU's RAM at power-up (red LED: bad image, the firmware never runs)`);
    lines.push(`  write both: ${fw.commands.join('; then ')}  (or: nla fpga flash --bin ${fw.commands[1]!.replace(/^iceprog /, '')} --firmware ${fw.firmware})`);
  }
  return lines.join('\n');
}
