import { describe, expect, it } from 'vitest';
import { distribution, histogram, quantile, yieldOf } from '../../core/statistics.js';

// Known answers: numpy.percentile's default (linear, "type 7") and the Wilson score interval (Wilson 1927),
// computed by hand: for 8 of 10, p = 0.8, z = 1.959964: centre 0.7166, half-width 0.2267.
describe('Monte Carlo statistics', () => {
  it('quantiles interpolate between order statistics as numpy does', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    expect(quantile([1, 2, 3, 4], 0.05)).toBeCloseTo(1.15, 12);
    expect(quantile([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    const d = distribution([4, 1, 3, 2]);
    expect([d.mean, d.min, d.max, d.median]).toEqual([2.5, 1, 4, 2.5]);
    expect(d.sd).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });

  it('a histogram counts every value once, the maximum in the last bin', () => {
    const h = histogram([0, 0.1, 0.5, 0.99, 1], 4);
    expect(h.edges).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(h.counts).toEqual([2, 0, 1, 2]);
  });

  it('the yield carries its 95 % Wilson interval', () => {
    const y = yieldOf(8, 10);
    expect(y.fraction).toBe(0.8);
    expect(y.low95).toBeCloseTo(0.4902, 4);
    expect(y.high95).toBeCloseTo(0.9433, 4);
    expect(yieldOf(0, 5).low95).toBe(0);
    expect(yieldOf(5, 5).high95).toBe(1);
  });
});
