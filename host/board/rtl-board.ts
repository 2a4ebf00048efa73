import { spawn, type ChildProcess } from 'node:child_process';
import { PtyPair } from './pty-pair.js';
import { verilateTop, type VerilatedModel } from './verilate.js';

/**
 * The RTL board: a gateware top simulated by Verilator behind a real pseudo-terminal, as `nla board
 * virtual` is. The model (gateware/sim/board_sim.cpp around the top) simulates the UART at the bit
 * level at the design's clock and baud; socat links the host's end (hostPath) to the end the model
 * opens. The design keeps its state across a dropped line; with `restore` the line comes back at the
 * same path and the model reopens it.
 */
export interface RtlBoardOptions {
  /** Top module in gateware/ (ports clk, rst, uart_rx_pin, uart_tx_pin). Default 'board_top'. */
  top?: string;
  /** Further parameters of the top (CLK_HZ and BAUD are set from clkHz and baud). */
  params?: Record<string, number>;
  /** Design clock, Hz (default 12 MHz, the iCEBreaker's oscillator). */
  clkHz?: number;
  /** The design's baud rate (default 921600). */
  baud?: number;
  /** The host side's baud rate on the simulated line (default: baud); tests of a baud mismatch set it apart. */
  lineBaud?: number;
  /** Path of the host's end (a symlink); default: a temporary path. */
  link?: string;
  /** Re-create the line after it drops (default true). */
  restore?: boolean;
  /** Advance simulated time with wall time while the line is idle (the design's timers run). */
  idleRealtime?: boolean;
  /**
   * Cycles the design runs after power-up before the line is opened (default: rtlBootCycles(clkHz, baud),
   * 100000 cycles, 8 ms at 12 MHz, at 921600 baud): what it announces at boot (board_top's power-up
   * HELLO_ACK) goes to nobody, as on a board powered before its port is opened, instead of arriving in
   * the middle of the host's first handshake.
   */
  bootCycles?: number;
  /** Cycles the clock keeps running after the last line activity (default: the harness's, 24 bit times + 4096). */
  graceCycles?: number;
  onEvent?: (what: string) => void;
}

/** What the harness reports on exit. */
export interface RtlSimStats {
  cycles: number;
  wallS: number;
  /** Simulated cycles per wall second, idle sleep included. */
  cyclesPerS: number;
  /** Wall time spent simulating (the clock running), s, and the cycles per second of it. */
  busyS: number;
  busyCyclesPerS: number;
  bytesIn: number;
  bytesOut: number;
  /** Bytes the design sent that the line did not take (nobody reading the host's end). */
  bytesDropped: number;
  txFramingErrors: number;
}

export interface ServedRtlBoard {
  /** The device to connect to (`nla stream --port <hostPath>`). */
  hostPath: string;
  pty: PtyPair;
  model: VerilatedModel;
  proc: ChildProcess;
  /** Drops the line (both ends close); with `restore` it comes back at the same path. */
  cutLine(): Promise<void>;
  /** Resolves when the line is back after a cut. */
  lineUp(): Promise<void>;
  /** Presses the board's reset (the harness holds rst, SIGUSR1): the design loses its session, image and state. */
  reset(): void;
  /** Stops the model and the line; resolves with the simulation's statistics (null if it printed none). */
  close(): Promise<RtlSimStats | null>;
}

/**
 * The cycles the RTL board runs before its line opens: long enough for what the design sends at power-up
 * to leave its UART completely, at any baud. That is the power-up HELLO_ACK (well under 100 bytes on the
 * wire) after the reset; 200 byte times (10 bit times each, clkHz / baud cycles a bit) cover it twice
 * over, and never fewer than 100000 cycles (8 ms at 12 MHz, what 921600 baud needed). A fixed 100000 was
 * too short below about 230400 baud at 12 MHz (200 bytes at 115200 baud take 208333 cycles): the rest
 * of the announcement arrived in the host's first handshake. `clkHz` is the design's clock: the model is
 * built with CLK_HZ = clkHz, so it is the clock its UART divides.
 */
export function rtlBootCycles(clkHz: number, baud: number): number {
  return Math.max(100_000, Math.ceil((200 * 10 * clkHz) / baud));
}

/** Builds (cached) and starts the RTL board; resolves when the model has opened its end of the line. */
export async function serveRtlBoard(o: RtlBoardOptions = {}): Promise<ServedRtlBoard> {
  const clkHz = o.clkHz ?? 12_000_000;
  const baud = o.baud ?? 921_600;
  const top = o.top ?? 'board_top';
  const model = verilateTop({ top, params: { ...o.params, CLK_HZ: clkHz, BAUD: baud } });
  o.onEvent?.(model.cached ? `model ${model.hash} (cached)` : `model ${model.hash} built in ${model.buildMs} ms`);
  const pty = new PtyPair(o.link);
  await pty.start();
  const args = ['--clk-hz', String(clkHz), '--baud', String(o.lineBaud ?? baud), '--pty', pty.boardPath];
  args.push('--boot-cycles', String(o.bootCycles ?? rtlBootCycles(clkHz, baud)));
  // the model exits if this process is already gone when it starts (and dies with it later)
  args.push('--parent-pid', String(process.pid));
  if (o.idleRealtime) args.push('--idle-realtime');
  if (o.graceCycles !== undefined) args.push('--grace-cycles', String(o.graceCycles));
  const proc = spawn(model.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stats: RtlSimStats | null = null;
  let err = '';
  const ready = new Promise<void>((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      let nl: number;
      while ((nl = err.indexOf('\n')) >= 0) {
        const line = err.slice(0, nl);
        err = err.slice(nl + 1);
        if (line.startsWith('board_sim: ready')) resolve();
        else if (line.startsWith('board_sim stats ')) stats = JSON.parse(line.slice('board_sim stats '.length)) as RtlSimStats;
        else if (line.trim()) o.onEvent?.(line);
      }
    });
    proc.once('exit', (c) => reject(new Error(`the RTL board model exited with ${c} before it was ready: ${err.trim()}`)));
  });
  // 'close', not 'exit': the model's last lines (the final report) may still be in the pipe when 'exit' fires
  const exited = new Promise<void>((r) => proc.once('close', () => r()));
  let closing = false;
  let up: Promise<void> = Promise.resolve();
  pty.onExit(() => {
    if (closing) return;
    o.onEvent?.('line dropped');
    if (o.restore ?? true) {
      up = new Promise((r) => setTimeout(r, 50))
        .then(() => pty.start())
        .then(
          () => o.onEvent?.(`line up at ${pty.hostPath}`),
          (e: Error) => o.onEvent?.(`the line could not be restored: ${e.message}`),
        );
    }
  });
  try {
    await ready;
  } catch (e) {
    await pty.close();
    throw e;
  }
  o.onEvent?.(`line up at ${pty.hostPath}`);
  return {
    hostPath: pty.hostPath,
    pty,
    model,
    proc,
    cutLine: () => pty.cut(),
    lineUp: () => up,
    reset: () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGUSR1');
    },
    close: async () => {
      closing = true;
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
      await pty.close();
      return stats;
    },
  };
}
