import { UsageError } from '../errors.js';
import { jsBackend } from './js-kernels.js';
import type { KernelBackend, KernelBackendName } from './kernels.js';
import { wasmBackend } from './wasm-kernels.js';

/** The kernel back ends by name; `wasm` is the default. Unknown names fail with the list of known ones. */
export const KERNEL_BACKENDS: Record<KernelBackendName, KernelBackend> = { js: jsBackend, wasm: wasmBackend };

export function kernelBackend(name: string = 'wasm'): KernelBackend {
  const b = KERNEL_BACKENDS[name as KernelBackendName];
  if (!b) throw new UsageError(`unknown kernel back end '${name}'; expected one of ${Object.keys(KERNEL_BACKENDS).join(', ')}`);
  return b;
}
