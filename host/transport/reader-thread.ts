import { Worker } from 'node:worker_threads';

/**
 * The worker: opens the device for reading (blocking), and for each read posts the chunk with the
 * absolute time (performance.timeOrigin + performance.now()) at which the read returned; posts `end`
 * with a reason when the device goes away (EIO once a pty's other side has closed) and stops. Shared
 * Int32 at byte 0: set to 1 by the owner to stop after the current read.
 */
const WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const stop = new Int32Array(workerData.stop);
(function run() {
  let fd;
  try {
    fd = fs.openSync(workerData.path, fs.constants.O_RDONLY | fs.constants.O_NOCTTY);
  } catch (e) {
    parentPort.postMessage({ end: 'cannot open ' + workerData.path + ' for reading: ' + e.message });
    return;
  }
  const buf = Buffer.allocUnsafe(65536);
  while (!Atomics.load(stop, 0)) {
    let n;
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if (e.code === 'EINTR') continue;
      if (e.code === 'EAGAIN') { Atomics.wait(stop, 0, 0, 1); continue; }
      parentPort.postMessage({ end: e.code === 'EIO' ? 'the line closed (EIO)' : 'read error: ' + e.message });
      break;
    }
    const at = performance.timeOrigin + performance.now();
    if (n === 0) { parentPort.postMessage({ end: 'end of file' }); break; }
    const chunk = new Uint8Array(n);
    chunk.set(buf.subarray(0, n));
    parentPort.postMessage({ chunk, at }, [chunk.buffer]);
  }
  try { fs.closeSync(fd); } catch {}
})();
`;

/**
 * Reads a character device (a serial port, a pty) on a thread of its own and stamps each chunk with
 * the time its read returned: when the bytes reached this end, not when the event loop got round to
 * them. A garbage collection or a long callback on the event loop delays the delivery of a chunk but
 * not its stamp. The thread blocks in read(2) and costs nothing while the line is quiet.
 *
 * Contract: `onChunk` runs on the event loop, in arrival order, with the bytes and their stamp on this
 * thread's performance.now() clock; `onEnd` runs at most once, with a reason, when the device goes away
 * or cannot be opened, and nothing is delivered after it. After `stop()` nothing more is delivered; the
 * thread ends after its current read returns, or with the process, and never keeps the process alive.
 * The device must already be configured (raw mode): the thread only reads.
 */
export class ReaderThread {
  private readonly stopFlag = new Int32Array(new SharedArrayBuffer(4));
  private stopped = false;

  constructor(path: string, onChunk: (chunk: Uint8Array, arrivedAtMs: number) => void, onEnd: (reason: string) => void) {
    const worker = new Worker(WORKER, { eval: true, workerData: { path, stop: this.stopFlag.buffer } });
    worker.on('message', (m: { chunk?: Uint8Array; at?: number; end?: string }) => {
      if (this.stopped) return;
      if (m.end !== undefined) {
        this.stop();
        onEnd(m.end);
      } else onChunk(m.chunk!, m.at! - performance.timeOrigin);
    });
    worker.on('error', (e: Error) => {
      if (this.stopped) return;
      this.stop();
      onEnd(`reader thread failed: ${e.message}`);
    });
    worker.unref();
  }

  stop(): void {
    this.stopped = true;
    Atomics.store(this.stopFlag, 0, 1);
  }
}
