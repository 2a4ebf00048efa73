/**
 * `node:child_process` in the page: no processes there. The spice engine's native ngspice
 * (emulator/spice/run.ts `runNative`) is refused with this message; the page runs ngspice as WebAssembly.
 */
export function spawn(): never {
  throw new Error("the native ngspice cannot run in the page (no processes there): use the spice engine's WebAssembly ngspice (spiceEngine 'wasm', the default)");
}
