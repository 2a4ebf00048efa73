import { describe, expect, it } from 'vitest';
import { compileCircuit } from '../../compiler/circuit/compile.js';
import { validateCircuit } from '../../compiler/circuit/validate.js';
import { layeredNetwork } from '../../compiler/spec/builder.js';
import { BUILTIN_PROFILES } from '../../hardware-models/profiles/builtin.js';

// The paper's MNIST network (784-500-10) is the user's scale: every compiler pass must take it on every
// built-in profile (a spread of 392,000 weights into Math.max once threw a RangeError in the quantise pass).
describe('compiling a 784-500-10 network', () => {
  const graph = layeredNetwork([784, 500, 10], { activation: 'hard-sigmoid', seed: 5 }).build();
  for (const profile of Object.values(BUILTIN_PROFILES)) {
    it(`compiles on the ${profile.name} profile, every weight placed`, () => {
      const ir = compileCircuit(graph, profile, { seed: 11 });
      expect(() => validateCircuit(ir)).not.toThrow();
      const first = ir.arrays.find((a) => a.realises === 'in->h1')!;
      expect(first.conductanceS.length).toBe(500);
      expect(first.conductanceS.every((row) => row.length === 784)).toBe(true);
      const r = profile.synapses.realisation;
      if (r.kind === 'dac' && r.fullScale === 'auto') {
        // full scale 'auto' is the array's largest |w|: that weight takes the largest code exactly
        let top = 0;
        for (const row of first.codes!) for (const c of row) top = Math.max(top, Math.abs(c));
        expect(top).toBe(2 ** r.bits - 1);
      }
    });
  }
});
