import type { Rng } from '../../core/rng.js';
import type { InitSpec } from '../spec/format.js';

/**
 * Fills `out` with draws from an initial-weight distribution. `normal` with a cut-off clips to
 * [−cutoff, +cutoff], as the paper's code does (np.clip), rather than resampling.
 */
export function drawWeights(init: InitSpec, rng: Rng, out: Float64Array): void {
  switch (init.distribution) {
    case 'normal': {
      const mean = init.mean ?? 0;
      const cut = init.cutoff ?? Infinity;
      for (let i = 0; i < out.length; i++) {
        const w = mean + init.std * rng.normal();
        out[i] = w > cut ? cut : w < -cut ? -cut : w;
      }
      return;
    }
    case 'uniform':
      for (let i = 0; i < out.length; i++) out[i] = init.low + (init.high - init.low) * rng.uniform();
      return;
    case 'constant':
      out.fill(init.value);
      return;
    case 'zeros':
      out.fill(0);
      return;
  }
}
