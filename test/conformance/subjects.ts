import { spawnSync } from 'node:child_process';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import type { Drive } from '../../emulator/drive.js';
import type { CommonOptions, EngineFactory, RunOutcome } from '../../emulator/engine.js';
import { parseProbes } from '../../emulator/probes/probe.js';
import { analogEngine } from '../../emulator/analog/engine.js';
import { digitalEngine } from '../../emulator/digital/engine.js';
import { spiceEngine } from '../../emulator/spice/engine.js';
import { frameSignal, sampleFrames } from '../../emulator/stimulus/frames.js';
import type { Signal } from '../../emulator/stimulus/signal.js';
import { SignalDrive } from '../../emulator/stimulus/signal-drive.js';
import { boardEngine } from '../../host/engine/board-engine.js';
import { serveVirtualBoard, type ServedBoard } from '../../host/board/serve.js';
import { serveRtlBoard, type ServedRtlBoard } from '../../host/board/rtl-board.js';
import { verilatorAvailable } from '../../host/board/verilate.js';
import { hasSocat } from '../pty-available.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { toSignal, UP5K16 } from '../../hardware-models/fixed-point/format.js';

type Values = Record<string, string | boolean | undefined>;

/**
 * One engine as the conformance suite runs it: the factory from the registry, its options, and how far
 * from the digital reference its traces may be (max |Δu|, units), with the reason for that figure.
 */
export interface Subject {
  label: string;
  factory: EngineFactory;
  options: Values;
  /** Why this subject cannot run here (a tool, a device), or null. */
  unavailable(): string | null;
  tolerance: number;
  why: string;
  /** The reference is the digital engine running this engine's own algorithm (a board): frame-held inputs. */
  framed: boolean;
  /**
   * Cases this subject leaves out beyond its engine's (ConformanceCase.excluded), by case name, each with the reason
   * and a check that the reason holds (run by the suite: it fails when the reason no longer holds).
   */
  excludedCases?: Record<string, { why: string; holds: () => boolean }>;
  /** Set up before use (a served board), torn down after. */
  setUp?(): Promise<void>;
  tearDown?(): Promise<void>;
}

const hasNgspice = spawnSync('ngspice', ['--version'], { encoding: 'utf8' }).status === 0;

/** The virtual board behind a real pty, for the board engine's serial path. */
function ptyBoard(): Subject {
  let served: ServedBoard | null = null;
  const subject: Subject = {
    label: 'board (virtual board behind a socat pty, --board-port)',
    factory: boardEngine,
    options: {},
    unavailable: () => (hasSocat ? null : 'socat is not installed'),
    tolerance: 2 ** -12,
    why: "the fixed-point core's inference error bound (docs/protocol.md)",
    framed: true,
    async setUp() {
      served = await serveVirtualBoard({ onEvent: () => {} });
      subject.options = { boardPort: served.hostPath };
    },
    async tearDown() {
      await served?.close();
    },
  };
  return subject;
}

/**
 * The gateware board (gateware/board_top.v) under Verilator behind a real pty, its UART simulated bit by
 * bit at 921600 baud on a 12 MHz clock (`nla board rtl`): the same bits as the virtual board.
 */
function rtlBoard(): Subject {
  let served: ServedRtlBoard | null = null;
  const subject: Subject = {
    label: 'board (the gateware in RTL co-simulation behind a socat pty, nla board rtl)',
    factory: boardEngine,
    options: {},
    unavailable: () => (!hasSocat ? 'socat is not installed' : !verilatorAvailable() ? 'verilator is not installed' : null),
    tolerance: 2 ** -12,
    why: "the fixed-point core's inference error bound (docs/protocol.md); the RTL computes the core's bits (the vector core: FixedPointCore in UP5K16)",
    framed: true,
    excludedCases: {
      'layered 3-5-2, no targets: settles on the static forward pass': {
        why: "the vector core computes UP5K16 (docs/fpga.md), whose increment operand (Q0.19) clamps on this network's first frame from rest (τ = 2 ms): outside the format's range, counted in STATUS's saturations",
        holds: () => up5k16Saturates(layeredNetwork([3, 5, 2], { activation: 'logistic', seed: 3, beta: 0.2, tauMs: 2, tauInMs: 2, init: { distribution: 'normal', std: 0.8 } }).build(), [0.6, 0.3, 0.9]),
      },
    },
    async setUp() {
      served = await serveRtlBoard({ top: 'board_top', baud: 921_600, clkHz: 12_000_000, idleRealtime: true });
      subject.options = { boardPort: served.hostPath, baud: '921600' };
    },
    async tearDown() {
      await served?.close();
    },
  };
  return subject;
}

/** Every subject; `NLA_TEST_BOARD_PORT` adds a real board on that serial device (as node-serialport's hardware suite does). */
export function subjects(): Subject[] {
  const list: Subject[] = [
    { label: 'digital (explicit, dt 0.05 ms)', factory: digitalEngine, options: { dt: '0.05ms' }, unavailable: () => null, tolerance: 1e-2, why: 'forward Euler at 10× the reference step: first order in dt/τ (τ = 2 ms in two cases)', framed: false },
    { label: 'digital (implicit, converged, dt 0.005 ms)', factory: digitalEngine, options: { dt: '0.005ms', method: 'implicit' }, unavailable: () => null, tolerance: 1e-3, why: 'the relaxed iteration of the neuron equation against the explicit solve, same step', framed: false },
    { label: 'analog (ideal profile, DOPRI5)', factory: analogEngine, options: { profile: 'ideal', rtol: '1e-8', atol: '1e-10' }, unavailable: () => null, tolerance: 2e-3, why: 'continuous time against Euler at 0.005 ms', framed: false },
    { label: 'spice (WebAssembly ngspice, ideal profile)', factory: spiceEngine, options: { profile: 'ideal' }, unavailable: () => null, tolerance: 3e-3, why: "ngspice's step control (reltol 1e-5; measured max 1.1e-3, the 2 ms transient from rest)", framed: false },
    { label: 'spice (native ngspice, ideal profile)', factory: spiceEngine, options: { profile: 'ideal', spiceEngine: 'native' }, unavailable: () => (hasNgspice ? null : 'ngspice is not installed'), tolerance: 3e-3, why: 'as the WebAssembly build', framed: false },
    { label: 'board (virtual board in process)', factory: boardEngine, options: {}, unavailable: () => null, tolerance: 2 ** -12, why: "the fixed-point core's inference error bound (docs/protocol.md)", framed: true },
    ptyBoard(),
    rtlBoard(),
  ];
  const port = process.env.NLA_TEST_BOARD_PORT;
  if (port) {
    list.push({ label: `board at ${port} (NLA_TEST_BOARD_PORT)`, factory: boardEngine, options: { boardPort: port, baud: process.env.NLA_TEST_BOARD_BAUD ?? '921600' }, unavailable: () => null, tolerance: 2 ** -12, why: 'a board must match the bit-exact core', framed: true });
  }
  return list;
}

/** The digital reference's options for a subject: explicit at 0.005 ms, or the board's own algorithm in float. */
export function referenceOptions(s: Subject, reference: { dtMs: number; iterations: number; relaxation: number } | undefined): Values {
  if (!s.framed || !reference) return { dt: '0.005ms' };
  return { dt: `${reference.dtMs}ms`, method: 'implicit', iterations: String(reference.iterations), relaxation: String(reference.relaxation) };
}

/** The drive as a board sees it: inputs and targets sampled at each frame start and held. */
export function framedDrive(input: Signal, target: Signal | null, frameMs: number, durationMs: number): Drive {
  const n = Math.round(durationMs / frameMs) + 1;
  return new SignalDrive(frameSignal(sampleFrames(input, frameMs, n), frameMs), target ? frameSignal(sampleFrames(target, frameMs, n), frameMs) : null);
}

/** Creates and runs one engine of the registry on a graph. */
export async function runOn(factory: EngineFactory, graph: NlaGraph, options: Values, common: Partial<CommonOptions>, drive: Drive, durationMs: number, probes: string, sampleEveryMs?: number) {
  const engine = await factory.create({ kind: 'network', graph, file: '(conformance case)' }, { init: 'rest', learn: undefined, seed: undefined, ...common }, options);
  const outcome: RunOutcome = await engine.run({ durationMs, drive, probes: parseProbes(probes, engine.graph), sampleEveryMs, weightsEveryMs: undefined });
  return { engine, outcome };
}

/** Whether FixedPointCore in UP5K16 (the vector core's format) clamps an operand in the first 20 frames of `graph` held at `input`. */
function up5k16Saturates(graph: NlaGraph, input: number[]): boolean {
  const { image } = compileBoardImage(graph, { dtMs: 0.1, frameMs: 1 });
  const core = new FixedPointCore(image, UP5K16);
  const x = Int32Array.from(input, toSignal);
  for (let k = 0; k < 20; k++) core.frame(x, false, 1);
  return core.saturations > 0;
}
