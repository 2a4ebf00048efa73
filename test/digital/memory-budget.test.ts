import { afterEach, describe, expect, it } from 'vitest';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { wasmBackend } from '../../core/kernels/wasm-kernels.js';
import { formatBytes, memoryBudget, parseBytes, requireMemory, ResourceError } from '../../core/memory-budget.js';
import { DigitalSimulator } from '../../emulator/digital/simulator.js';

const saved = process.env.NLA_MEMORY_LIMIT;
afterEach(() => {
  if (saved === undefined) delete process.env.NLA_MEMORY_LIMIT;
  else process.env.NLA_MEMORY_LIMIT = saved;
});

describe('memory budget', () => {
  it('parses sizes in decimal and binary units and formats bytes with three digits', () => {
    expect(parseBytes('8GB', 'x')).toBe(8e9);
    expect(parseBytes('1.5GiB', 'x')).toBe(1.5 * 2 ** 30);
    expect(parseBytes('512mb', 'x')).toBe(512e6);
    expect(parseBytes('1e9', 'x')).toBe(1e9);
    expect(() => parseBytes('-3GB', 'x')).toThrow(/expected a size/);
    expect(formatBytes(1.6e9)).toBe('1.6 GB');
    expect(formatBytes(80_800_000_000)).toBe('80.8 GB');
    expect(formatBytes(999)).toBe('999 B');
  });

  it('takes NLA_MEMORY_LIMIT when set, else three quarters of the machine', () => {
    expect(memoryBudget({ NLA_MEMORY_LIMIT: '2GB' }).bytes).toBe(2e9);
    expect(memoryBudget({}).bytes).toBeGreaterThan(0);
    expect(() => requireMemory(2e9 + 1, 'x', { bytes: 2e9, source: 'test' })).toThrow(ResourceError);
    expect(() => requireMemory(2e9, 'x', { bytes: 2e9, source: 'test' })).not.toThrow();
  });

  it("the dense solver of a recurrent network is refused with its N×N figure before it allocates", () => {
    const g = layeredNetwork([10, 3000, 5], { activation: 'logistic', seed: 1 }).structure('recurrent').build();
    process.env.NLA_MEMORY_LIMIT = '200MB';
    // J, its matrix copy and one factorisation: 8 B × 3005² × (2 + 2·1)
    expect(() => new DigitalSimulator(g, { dtMs: 0.1 })).toThrow(`the dense solver's 3005×3005 matrices (recurrent networks; a layered network solves in O(synapses)) need ${formatBytes(8 * 3005 ** 2 * 4)}, more than the memory limit of 200 MB`);
    // the same network, layered, needs only its weights and vectors
    expect(() => new DigitalSimulator(layeredNetwork([10, 3000, 5], { activation: 'logistic', seed: 1 }).build(), { dtMs: 0.1 })).not.toThrow();
  });

  it("the WebAssembly arena refuses more than 4 GiB instead of throwing a RangeError", () => {
    expect(() => wasmBackend.createArena([2 ** 29, 1000])).toThrow(/more than a WebAssembly memory holds \(4 GiB\); run with --kernels js/);
  });
});
