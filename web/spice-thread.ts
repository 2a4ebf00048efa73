/**
 * The spice engine's WebAssembly ngspice in the page: emulator/spice/run.ts runs it on a thread it can stop
 * (its watchdog); in Node a worker thread, here a Web Worker started from the engine worker
 * (web/spice-worker.js, which imports eecircuit-engine from the site). Installed by the engine worker.
 */
import { setWasmSpiceThread, type WasmSpiceReply, type WasmSpiceThread } from '../emulator/spice/run.js';

const pageThread: WasmSpiceThread = (netlist) => {
  const worker = new Worker(new URL('spice-worker.js', location.href).href);
  const reply = new Promise<WasmSpiceReply>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WasmSpiceReply>) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(`the page's ngspice worker failed: ${e.message || 'it did not start (is spice-worker.js on the site?)'}`));
  });
  worker.postMessage({ netlist });
  return { reply, stop: () => worker.terminate() };
};

/** Makes the spice engine run its WebAssembly ngspice in a Web Worker. */
export function installPageSpiceThread(): void {
  setWasmSpiceThread(pageThread);
}
