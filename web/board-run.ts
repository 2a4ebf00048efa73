/**
 * A network run on a board over Web Serial, in the page: the board engine (host/engine/board-engine.ts)
 * compiles the board image and streams the drive's frames through the host's protocol, reliable link and
 * streaming (host/stream.ts), unchanged, over a WebSerialTransport on the port `openPort` gives (called
 * again to reconnect after a dropped line or a board reset, as the stream recovers).
 */
import './shims/node-globals.js';
import { UsageError } from '../core/errors.js';
import { BoardEngine } from '../host/engine/board-engine.js';
import { runWebEngine, type WebRun, type WebRunRequest } from './run-engine.js';
import { WebSerialTransport, type SerialPortLike } from './web-serial-transport.js';

/** Runs `req` on the board behind the port(s) `openPort` gives, at `baudRate`. */
export function runOnBoard(req: Omit<WebRunRequest, 'engine'>, openPort: () => Promise<SerialPortLike>, baudRate = 921600, onProgress: (fraction: number, tMs: number) => void = () => {}): Promise<WebRun> {
  return runWebEngine({ ...req, engine: 'board' }, onProgress, (engine) => {
    if (!(engine instanceof BoardEngine)) throw new UsageError('a board run needs the board engine on a network spec');
    engine.connectVia = async () => WebSerialTransport.open(await openPort(), baudRate);
  });
}
