/**
 * Benchmarks of the reference FPGA board (`npm run bench:fpga`), on the bundled example
 * (examples/teacher, dt 0.1 ms, 1 ms frames: 10 steps, 4 iterations per frame):
 *
 * 1. The RTL core's cycles per frame (board_top's core: the vector core, or nla_core; inference, learning with targets), measured in simulation
 *    (deterministic: one run), and the frames/s they give at the board's 12 MHz clock, against the
 *    frames/s a UART line carries at 115200 and 921600 baud (host/fpga/line-rate.ts).
 * 2. The whole board's cycles per frame, the firmware and the line included: board_top under Verilator behind a
 *    real pty (idle time advanced at the clock rate, as in `nla board rtl`: the soft processor computes while the line
 *    is quiet), streamed unpaced; the simulated cycles of an N-frame session minus those of an N/3-frame session, over
 *    2N/3 frames (inference; learning with targets; medians of REPS). The co-simulated board's figure: the harness
 *    advances a quiet line's clock in 12,000-cycle blocks and the host answers in wall time (docs/benchmarks.md).
 * 3. Co-simulation speed: the whole board (board_top, UART at the bit level) under Verilator behind a
 *    real pty, streamed unpaced by the host in this process: frames/s and simulated cycles per wall
 *    second while the clock runs. Baselines in the same run: the core alone under Verilator (the vector core's
 *    register-window testbench replaying the firmware's accesses, or nla_core's core_tb; no UART, no protocol), and
 *    the virtual board (FixedPointCore in TypeScript) behind a pty in its own process.
 * Medians of REPS runs. Writes out/benchmarks-fpga.{md,json}. `--baud B` sets the whole board's line for (2) (default
 * 921600; one of the rates the harness and the docs name, 115200 or 921600), `--quick` one run of 100 frames.
 *
 *   npm run bench:fpga [-- --quick] [-- --baud 115200]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { compileBoardImage } from '../compiler/board/compile-image.js';
import { buildGraph } from '../compiler/graph/build.js';
import { loadSpecFile } from '../compiler/spec/load.js';
import { toSignal } from '../hardware-models/fixed-point/format.js';
import { encodeImage } from '../hardware-models/fixed-point/image-codec.js';
import { sampleFrames } from '../emulator/stimulus/frames.js';
import { FunctionSignal } from '../emulator/stimulus/signal.js';
import { serveRtlBoard } from '../host/board/rtl-board.js';
import { spawnVirtualBoard } from '../host/board/spawn.js';
import { frameCmd, imageCmd, measureCoreCycles, parseCoreFrame, runCore } from '../host/fpga/core-sim.js';
import { gatewareCapacity } from '../host/fpga/gateware-capacity.js';
import { lineFramesPerS } from '../host/fpga/line-rate.js';
import { coreioTestbench, measureVcoreCycles, replayCoreio, vcoreRecorder } from '../host/fpga/vcore-cycles.js';
import type { VcoreBuild } from '../hardware-models/fixed-point/vcore-image.js';
import { streamToBoard } from '../host/stream.js';
import { SerialTransport } from '../host/transport/serial.js';

const quick = process.argv.includes('--quick');
const REPS = quick ? 1 : 3;
const FRAMES = quick ? 100 : 300;
const CLOCK_HZ = 12_000_000;
const BAUD = boardBaud(process.argv);

/** The `--baud` of the whole board's cycles per frame: 115200 or 921600 (anything else exits 2, naming it). */
function boardBaud(argv: string[]): number {
  const i = argv.indexOf('--baud');
  if (i < 0) return 921_600;
  const b = Number(argv[i + 1]);
  if (b !== 115_200 && b !== 921_600) {
    process.stderr.write(`bench:fpga: --baud ${argv[i + 1] ?? '(missing)'}: expected 115200 or 921600\n`);
    process.exit(2);
  }
  return b;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const spread = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

const graph = buildGraph(loadSpecFile('examples/teacher/network.json'));
const image = compileBoardImage(graph, { dtMs: 0.1, frameMs: 1 }).image;
const bytes = encodeImage(image);
const signal = new FunctionSignal(image.nStimulusInputs, (t, c) => 0.5 + 0.4 * Math.sin(t / (20 + 3 * c) + c));
const inputs = sampleFrames(signal, 1, FRAMES).map((f) => Int32Array.from(f, toSignal));

function say(s: string): void {
  process.stderr.write(`bench:fpga: ${s}\n`);
}

/**
 * Cycles per frame on the RTL of board_top's core and the frames/s at the board's clock, against the line: the vector
 * core (VCORE = 1: the firmware's accesses replayed on vcore_board's core, host/fpga/vcore-cycles.ts; install at the
 * testbench's 3 cycles an access) or nla_core (core_tb).
 */
function coreCycles() {
  const vcore = gatewareCapacity().vcore;
  let c: { installCycles: number; inference: number[]; learning: number[] };
  if (vcore) {
    const v = measureVcoreCycles(image, vcore);
    c = { installCycles: v.install.cycles, inference: v.inference, learning: v.learning };
  } else {
    const n = measureCoreCycles(bytes, image.nStimulusInputs, image.outputs.length);
    if (n.load.result !== 0) throw new Error(`the RTL core refused the example (result ${n.load.result} at byte ${n.load.errOffset})`);
    c = { installCycles: n.load.cycles, inference: n.inference, learning: n.learning };
  }
  const inference = Math.max(...c.inference);
  const learning = Math.max(...c.learning);
  const lines = [115_200, 921_600].map((baud) => ({ baud, ...lineFramesPerS(baud, image.nStimulusInputs, image.outputs.length) }));
  return { core: vcore ? 'vcore' : 'nla_core', installCycles: c.installCycles, inference, learning, framesPerSAt12MHz: { inference: CLOCK_HZ / inference, learning: CLOCK_HZ / learning }, lines };
}

/** The core alone under Verilator: simulated cycles per wall second over FRAMES frames. */
function coreAloneSpeed(): number {
  const vcore = gatewareCapacity().vcore;
  return vcore ? vcoreAloneSpeed(vcore) : nlaCoreAloneSpeed();
}

/**
 * The vector core alone: the firmware's driver records its register accesses (install, FRAMES inference frames of the
 * bench's inputs) against the window's model, and the window testbench replays them (every load checked): the
 * simulated cycles it reports over the replay's wall time.
 */
function vcoreAloneSpeed(build: VcoreBuild): number {
  const { driver, bus } = vcoreRecorder(image, build);
  driver.install();
  for (const f of inputs) driver.frame(Array.from(f), false, 1);
  const bin = coreioTestbench();
  const t0 = performance.now();
  const rep = replayCoreio(bin, bus.lines);
  const wallS = (performance.now() - t0) / 1000;
  if (rep.errors.length) throw new Error(`the vector core's RTL differs from its model:\n  ${rep.errors.slice(0, 5).join('\n  ')}`);
  return rep.simulatedCycles / wallS;
}

/** nla_core alone (core_tb): simulated cycles per wall second over FRAMES frames. */
function nlaCoreAloneSpeed(): number {
  const script = [imageCmd(bytes), ...inputs.map((f) => frameCmd(false, 1, f))];
  const t0 = performance.now();
  const out = runCore(script);
  const wallS = (performance.now() - t0) / 1000;
  const cycles = out.slice(1).map(parseCoreFrame).reduce((s, f) => s + f.cycles, 0);
  return cycles / wallS;
}

/** The whole board under Verilator behind a pty: frames/s through the protocol and simulated cycles/s while busy. */
async function rtlBoardSpeed(): Promise<{ framesPerS: number; busyCyclesPerS: number }> {
  const served = await serveRtlBoard({ top: 'board_top', baud: 921_600, clkHz: CLOCK_HZ, idleRealtime: true });
  try {
    const res = await streamToBoard({ connect: () => SerialTransport.openWithRetry(served.hostPath, 921_600, 5000), image: bytes, inputs, frameUs: 1000, reconnect: { attempts: 3, delayMs: 200 } });
    if (res.stats.lost !== 0) throw new Error(`the RTL board lost ${res.stats.lost} frames`);
    const stats = await served.close();
    return { framesPerS: res.stats.framesPerSecond, busyCyclesPerS: stats?.busyCyclesPerS ?? NaN };
  } catch (e) {
    await served.close();
    throw e;
  }
}

/**
 * The whole board's simulated cycles for `frames` frames streamed unpaced at BAUD: boot, handshake and LOAD_IMAGE
 * included.
 */
async function boardSessionCycles(frames: number, learn: boolean): Promise<number> {
  const served = await serveRtlBoard({ top: 'board_top', baud: BAUD, clkHz: CLOCK_HZ, idleRealtime: true });
  try {
    const targets = learn ? inputs.slice(0, frames).map(() => Int32Array.from({ length: image.outputs.length }, () => toSignal(0.5))) : null;
    const res = await streamToBoard({ connect: () => SerialTransport.openWithRetry(served.hostPath, BAUD, 5000), image: bytes, inputs: inputs.slice(0, frames), targets, learn, frameUs: 1000 });
    if (res.stats.lost !== 0) throw new Error(`the RTL board lost ${res.stats.lost} frames`);
  } catch (e) {
    await served.close().catch(() => null);  // the stream's error is the one to report
    throw e;
  }
  const stats = await served.close();
  if (!stats) throw new Error('the RTL board printed no statistics');
  return stats.cycles;
}

/** The whole board's cycles per frame in a stream: (cycles of FRAMES frames − cycles of round(FRAMES/3)) over the difference in frames. */
async function boardCyclesPerFrame(learn: boolean): Promise<number> {
  const short = Math.round(FRAMES / 3);
  const long = await boardSessionCycles(FRAMES, learn);
  const first = await boardSessionCycles(short, learn);
  return (long - first) / (FRAMES - short);
}

/** Baseline: the virtual board (TypeScript FixedPointCore) in its own process behind a pty. */
async function virtualBoardSpeed(): Promise<number> {
  const board = await spawnVirtualBoard();
  try {
    const res = await streamToBoard({ connect: () => SerialTransport.openWithRetry(board.port, 921_600, 5000), image: bytes, inputs, frameUs: 1000 });
    return res.stats.framesPerSecond;
  } finally {
    await board.stop();
  }
}

async function main(): Promise<void> {
  say('cycles per frame on the RTL core (builds the Verilator model on a first run)');
  const core = coreCycles();
  say(`the whole board's cycles per frame (sessions of ${FRAMES} and ${Math.round(FRAMES / 3)} frames, inference and learning)`);
  const perFrame: Record<'inference' | 'learning', number[]> = { inference: [], learning: [] };
  for (let r = 0; r < REPS; r++) {
    perFrame.inference.push(await boardCyclesPerFrame(false));
    perFrame.learning.push(await boardCyclesPerFrame(true));
  }
  const board = { inference: median(perFrame.inference), learning: median(perFrame.learning), raw: perFrame };
  const alone: number[] = [];
  const rtl: Array<{ framesPerS: number; busyCyclesPerS: number }> = [];
  const virt: number[] = [];
  for (let r = 0; r < REPS; r++) {
    say(`rep ${r + 1}/${REPS}: core alone, RTL board, virtual board (${FRAMES} frames each)`);
    alone.push(coreAloneSpeed());
    rtl.push(await rtlBoardSpeed());
    virt.push(await virtualBoardSpeed());
  }
  const rtlFps = rtl.map((x) => x.framesPerS);
  const rtlCps = rtl.map((x) => x.busyCyclesPerS);
  const result = {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    reps: REPS,
    frames: FRAMES,
    core,
    board: { baud: BAUD, ...board, framesPerSAt12MHz: { inference: CLOCK_HZ / board.inference, learning: CLOCK_HZ / board.learning } },
    cosim: {
      coreAloneCyclesPerS: median(alone),
      rtlBoardFramesPerS: median(rtlFps),
      rtlBoardBusyCyclesPerS: median(rtlCps),
      virtualBoardFramesPerS: median(virt),
      rtlOverVirtual: median(rtlFps) / median(virt),
      raw: { alone, rtl, virt },
    },
  };
  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  const md = [
    `Machine: ${result.machine}; medians of ${REPS} runs, ${FRAMES} frames of examples/teacher each (\`npm run bench:fpga\`).`,
    '',
    '| | inference | learning with targets |',
    '|---|---|---|',
    `| RTL core (${core.core}), cycles per frame | ${f(core.inference)} | ${f(core.learning)} |`,
    `| frames/s at 12 MHz | ${f(core.framesPerSAt12MHz.inference)} | ${f(core.framesPerSAt12MHz.learning)} |`,
    `| whole board (firmware, line at ${BAUD} baud), cycles per frame in a stream (range) | ${f(board.inference)} (${spread(perFrame.inference)}) | ${f(board.learning)} (${spread(perFrame.learning)}) |`,
    `| whole board, frames/s at 12 MHz | ${f(CLOCK_HZ / board.inference)} | ${f(CLOCK_HZ / board.learning)} |`,
    ...core.lines.map((l) => `| UART line at ${l.baud} baud (${l.inputFrameBytes} B per INPUT_FRAME), frames/s | ${f(l.framesPerS)} | ${f(l.framesPerS)} |`),
    '',
    '| co-simulation | median | range |',
    '|---|---|---|',
    `| core alone under Verilator (${core.core === 'vcore' ? 'vcore_coreio_tb' : 'core_tb'}), simulated cycles/s | ${f(result.cosim.coreAloneCyclesPerS)} | ${spread(alone)} |`,
    `| whole board under Verilator behind a pty, simulated cycles/s while busy | ${f(result.cosim.rtlBoardBusyCyclesPerS)} | ${spread(rtlCps)} |`,
    `| whole board behind a pty, frames/s through the protocol | ${f(result.cosim.rtlBoardFramesPerS)} | ${spread(rtlFps)} |`,
    `| baseline: virtual board (TypeScript core) behind a pty, frames/s | ${f(result.cosim.virtualBoardFramesPerS)} | ${spread(virt)} |`,
    `| RTL board / virtual board | ${result.cosim.rtlOverVirtual.toFixed(3)} | |`,
  ].join('\n');
  mkdirSync('out', { recursive: true });
  writeFileSync('out/benchmarks-fpga.json', JSON.stringify(result, null, 2) + '\n');
  writeFileSync('out/benchmarks-fpga.md', md + '\n');
  process.stdout.write(md + '\n');
}

await main();
