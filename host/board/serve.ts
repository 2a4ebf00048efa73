import { PacedTransport } from '../transport/paced.js';
import { SerialTransport } from '../transport/serial.js';
import type { ByteTransport } from '../transport/transport.js';
import { PtyPair } from './pty-pair.js';
import { VirtualBoard, type VirtualBoardOptions } from './virtual-board.js';

export interface ServeOptions extends VirtualBoardOptions {
  /** Path of the host's end (a symlink); default: a temporary path. */
  link?: string;
  /** Pace the board's end like a UART at this baud rate (8N1: baud/10 bytes/s each way). */
  baud?: number;
  /** Re-create the line after it drops (default true). */
  restore?: boolean;
  onEvent?: (what: string) => void;
}

export interface ServedBoard {
  board: VirtualBoard;
  /** The device to connect to (`nla stream --port <hostPath>`). */
  hostPath: string;
  pty: PtyPair;
  /** Drops the line (both ends close); with `restore` it comes back at the same path. */
  cutLine(): Promise<void>;
  /** Resolves when the line is back after a cut. */
  lineUp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs a virtual board behind a real pseudo-terminal: socat links the host's end (printed to the user)
 * to the board's end, which the board opens with node-serialport like any serial device. The board
 * survives a dropped line (its state is kept) and, with `restore`, brings the line back at the same path.
 */
export async function serveVirtualBoard(o: ServeOptions = {}): Promise<ServedBoard> {
  const board = new VirtualBoard(o);
  const pty = new PtyPair(o.link);
  let closing = false;
  let current: ByteTransport | null = null;
  let up: Promise<void> = Promise.resolve();
  const connect = async () => {
    await pty.start();
    // paced, the board's end is read on a thread of its own: its UART model then times the line from
    // when bytes arrived, not from when a busy event loop got to them (a UART receives while the CPU works)
    const serial = await SerialTransport.open(pty.boardPath, o.baud ?? 921600, { readerThread: !!o.baud });
    current = o.baud ? new PacedTransport(serial, o.baud) : serial;
    board.attach(current, o.baud);
    o.onEvent?.(`line up at ${pty.hostPath}`);
  };
  pty.onExit(() => {
    if (closing) return;
    o.onEvent?.('line dropped');
    board.detach();
    const t = current;
    current = null;
    void t?.close().catch(() => {});
    if (o.restore ?? true) up = new Promise((r) => setTimeout(r, 50)).then(connect);
  });
  await connect();
  return {
    board,
    hostPath: pty.hostPath,
    pty,
    cutLine: () => pty.cut(),
    lineUp: () => up,
    close: async () => {
      closing = true;
      board.detach();
      await (current as ByteTransport | null)?.close().catch(() => {});
      await pty.close();
    },
  };
}
