/**
 * A network run on a board over Web Serial, in the page: the board engine (host/engine/board-engine.ts)
 * compiles the board image and streams the drive's frames through the host's protocol, reliable link and
 * streaming (host/stream.ts), unchanged, over a WebSerialTransport on the port `openPort` gives (called
 * again to reconnect after a dropped line or a board reset, as the stream recovers). Besides the run it
 * gives the link's statistics, the counters `nla stream` prints (web/board-link-stats.ts).
 */
import './shims/node-globals.js';
import { UsageError } from '../core/errors.js';
import { BoardEngine } from '../host/engine/board-engine.js';
import { linkStatistics, type BoardLinkStats } from './board-link-stats.js';
import { runWebEngine, type WebRun, type WebRunRequest } from './run-engine.js';
import { WebSerialTransport, type SerialPortLike } from './web-serial-transport.js';

/** A board run: its traces and summary, its link's statistics, and the float algorithm the board runs in fixed point. */
export interface BoardRun {
  run: WebRun;
  link: BoardLinkStats;
  /** The digital engine's settings that run the board's algorithm in float on the same frames (BoardEngine.reference). */
  reference: BoardEngine['reference'];
}

/** Runs `req` on the board behind the port(s) `openPort` gives, at `baudRate`. */
export async function runOnBoard(req: Omit<WebRunRequest, 'engine'>, openPort: () => Promise<SerialPortLike>, baudRate = 921600, onProgress: (fraction: number, tMs: number) => void = () => {}): Promise<BoardRun> {
  let board: BoardEngine | null = null;
  const line = { portsOpened: 0, bytesReceived: 0 };
  const run = await runWebEngine({ ...req, engine: 'board' }, onProgress, (engine) => {
    if (!(engine instanceof BoardEngine)) throw new UsageError('a board run needs the board engine on a network spec');
    board = engine;
    engine.connectVia = async () => {
      const t = await WebSerialTransport.open(await openPort(), baudRate);
      line.portsOpened++;
      t.onData((chunk) => (line.bytesReceived += chunk.length));
      return t;
    };
  });
  const b = board as BoardEngine | null;
  if (!b?.lastStream) throw new Error('the board engine ran without streaming');
  return { run, link: linkStatistics(b.lastStream, line), reference: b.reference };
}
