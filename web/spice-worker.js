/* The spice engine's ngspice in the page (a classic Web Worker script, started by web/spice-thread.ts from
   the engine worker): eecircuit-engine's ES module from the site (its WebAssembly is inlined as a data: URL,
   so nothing is fetched from elsewhere), one transient on the netlist it is sent, the vectors posted back in
   the shape emulator/spice/run.ts's WORKER job answers (WasmSpiceReply). */
self.onmessage = async (e) => {
  try {
    const { Simulation } = await import(new URL('vendor/eecircuit-engine.mjs', self.location.href).href);
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
};
