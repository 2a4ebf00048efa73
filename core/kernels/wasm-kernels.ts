import { formatBytes, ResourceError } from '../memory-budget.js';
import { jsKernels } from './js-kernels.js';
import type { Arena, KernelBackend, Kernels } from './kernels.js';
import { SIMD_WASM_BASE64 } from './simd-wasm.generated.js';

interface SimdExports {
  gemv(W: number, rows: number, cols: number, B: number, x: number, y: number): void;
  gemvT(W: number, rows: number, cols: number, B: number, x: number, y: number): void;
  rankUpdate(W: number, rows: number, cols: number, B: number, coef: number, post: number, pre: number): void;
  fused1(W: number, rows: number, cols: number, coef: number, post: number, pre: number, x: number, y: number, x2: number, y2: number): void;
  fusedBatch(W: number, rows: number, cols: number, B: number, coef: number, post: number, pre: number, x: number, y: number, x2: number, y2: number): void;
}

let compiled: WebAssembly.Module | null = null;
function module(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Uint8Array.from(atob(SIMD_WASM_BASE64), (c) => c.charCodeAt(0)));
  return compiled;
}

const PAGE = 65536;
/** A 32-bit WebAssembly memory holds at most 65,536 pages of 64 KiB (4 GiB). */
const MAX_PAGES = 65536;
/** Byte offset 0 is never handed out, so a null pointer (0) can mean "absent" in kernel calls. */
const RESERVED = 64;

/**
 * WebAssembly SIMD kernels. Each arena gets its own memory, sized for exactly its arrays (16-byte
 * aligned), and its own instance. Masked updates run the JavaScript kernel on the same arrays (views of
 * the wasm memory), which gives the same result.
 */
export const wasmBackend: KernelBackend = {
  name: 'wasm',
  createArena(lengths: number[]): Arena {
    const offsets: number[] = [];
    let bytes = RESERVED;
    for (const n of lengths) {
      offsets.push(bytes);
      bytes += Math.ceil((n * 8) / 16) * 16;
    }
    const pages = Math.max(1, Math.ceil(bytes / PAGE));
    if (pages > MAX_PAGES) throw new ResourceError(`the engine's arrays need ${formatBytes(bytes)}, more than a WebAssembly memory holds (4 GiB); run with --kernels js`);
    const memory = new WebAssembly.Memory({ initial: pages });
    const instance = new WebAssembly.Instance(module(), { env: { memory } });
    const ex = instance.exports as unknown as SimdExports;
    const buffer = memory.buffer;
    const arrays = lengths.map((n, i) => new Float64Array(buffer, offsets[i], n));
    const p = (a: Float64Array): number => {
      if (a.buffer !== buffer) throw new Error('internal: wasm kernel called with an array from another arena');
      return a.byteOffset;
    };
    const kernels: Kernels = {
      name: 'wasm',
      gemv: (W, rows, cols, B, x, y) => ex.gemv(p(W), rows, cols, B, p(x), p(y)),
      gemvT: (W, rows, cols, B, x, y) => ex.gemvT(p(W), rows, cols, B, p(x), p(y)),
      rankUpdate(W, mask, rows, cols, B, coef, post, pre) {
        if (mask) jsKernels.rankUpdate(W, mask, rows, cols, B, coef, post, pre);
        else ex.rankUpdate(p(W), rows, cols, B, coef, p(post), p(pre));
      },
      fusedUpdateGemv(W, mask, rows, cols, B, coef, post, pre, x, y, x2, y2) {
        if (B === 1 && !mask) {
          ex.fused1(p(W), rows, cols, coef, p(post), p(pre), p(x), p(y), x2 ? p(x2) : 0, y2 ? p(y2) : 0);
          return;
        }
        if (!mask) {
          ex.fusedBatch(p(W), rows, cols, B, coef, p(post), p(pre), p(x), p(y), x2 ? p(x2) : 0, y2 ? p(y2) : 0);
          return;
        }
        if (coef !== 0) kernels.rankUpdate(W, mask, rows, cols, B, coef, post, pre);
        kernels.gemv(W, rows, cols, B, x, y);
        if (x2 && y2) kernels.gemv(W, rows, cols, B, x2, y2);
      },
    };
    return { arrays, kernels };
  },
};
