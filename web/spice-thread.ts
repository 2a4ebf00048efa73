/**
 * The spice engine's WebAssembly ngspice in the page: emulator/spice/run.ts runs it on a thread it can stop
 * (its watchdog); in Node a worker thread, here a Web Worker started from the engine worker. The worker's
 * script is the text below (a `blob:` URL, so the site needs no extra file): it imports eecircuit-engine's
 * ES module from the site (`vendor/eecircuit-engine.mjs`, its WebAssembly inlined as a `data:` URL, so
 * nothing is fetched from elsewhere), runs one transient on the netlist it is sent, and posts the vectors
 * back in the shape emulator/spice/run.ts's own worker job answers (WasmSpiceReply).
 */
import { setWasmSpiceThread, type WasmSpiceReply, type WasmSpiceThread } from '../emulator/spice/run.js';

const SCRIPT = `self.onmessage = async (e) => {
  try {
    const { Simulation } = await import(e.data.engineUrl);
    const sim = new Simulation();
    await sim.start();
    sim.setNetList(e.data.netlist);
    const t0 = performance.now();
    const r = await sim.runSim();
    const wallMs = performance.now() - t0;
    const errors = typeof sim.getError === 'function' ? sim.getError() : [];
    if (r.dataType !== 'real') throw new Error('expected real data from a transient, got ' + r.dataType);
    self.postMessage({ ok: true, wallMs, errors, numPoints: r.numPoints, names: r.variableNames, data: r.data.map((d) => Float64Array.from(d.values)) });
  } catch (err) {
    self.postMessage({ ok: false, error: String((err && err.stack) || err) });
  }
};`;

let scriptUrl: string | null = null;

const pageThread: WasmSpiceThread = (netlist) => {
  scriptUrl ??= URL.createObjectURL(new Blob([SCRIPT], { type: 'text/javascript' }));
  const worker = new Worker(scriptUrl);
  const reply = new Promise<WasmSpiceReply>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<WasmSpiceReply>) => resolve(e.data);
    worker.onerror = (e) => reject(new Error(`the page's ngspice worker failed: ${e.message || 'it did not start'}`));
  });
  worker.postMessage({ netlist, engineUrl: new URL('vendor/eecircuit-engine.mjs', location.href).href });
  return { reply, stop: () => worker.terminate() };
};

/** Makes the spice engine run its WebAssembly ngspice in a Web Worker. */
export function installPageSpiceThread(): void {
  setWasmSpiceThread(pageThread);
}
