import { describe, expect, it } from 'vitest';
import { positiveTimeMs } from '../../core/option-values.js';

describe('positiveTimeMs', () => {
  it('converts a time with its unit to ms', () => {
    expect(positiveTimeMs('2s', '--x')).toBe(2000);
    expect(positiveTimeMs('0.5ms', '--x')).toBe(0.5);
  });
  it('refuses zero, negative and infinite times, naming the option and the value', () => {
    for (const bad of ['0s', '-1ms', '1e999s']) expect(() => positiveTimeMs(bad, '--stall')).toThrow(`--stall: expected a positive, finite time, got '${bad}'`);
  });
});
