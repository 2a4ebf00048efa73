import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { assemble } from '../../scripts/build-wasm.mjs';

describe('generated wasm module', () => {
  it('matches core/kernels/simd.wat (run `npm run build:wasm` after editing the .wat)', async () => {
    const expected: string = await assemble();
    const current = readFileSync(new URL('../../core/kernels/simd-wasm.generated.ts', import.meta.url), 'utf8');
    expect(current).toBe(expected);
  });
});
