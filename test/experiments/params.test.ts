import { describe, expect, it } from 'vitest';
import { UsageError } from '../../core/errors.js';
import { integerParam, numberParam, positiveParam } from '../../experiments/params.js';
import { mnistSettings } from '../../experiments/mnist/settings.js';

describe('experiment --param values', () => {
  it('give the default when absent and the number when valid', () => {
    expect(positiveParam({}, 'tauMs', 10)).toBe(10);
    expect(positiveParam({ tauMs: '2.5' }, 'tauMs', 10)).toBe(2.5);
    expect(integerParam({ train: '300' }, 'train', 1, 1, 1000)).toBe(300);
    expect(numberParam({ x: '-0.5' }, 'x', 0, (v) => v < 0, 'a negative number')).toBe(-0.5);
  });

  it('refuse empty, non-numeric, infinite and out-of-range values, naming the key, what was expected and what was given', () => {
    for (const bad of ['', ' ', 'abc', '1e999', 'NaN', '0', '-3']) {
      expect(() => positiveParam({ tauMs: bad }, 'tauMs', 10, 'a positive time in ms')).toThrow(UsageError);
      expect(() => positiveParam({ tauMs: bad }, 'tauMs', 10, 'a positive time in ms')).toThrow(`--param tauMs: expected a positive time in ms, got '${bad}'`);
    }
    expect(() => integerParam({ train: '2.5' }, 'train', 1, 1, 1000)).toThrow("--param train: expected an integer from 1 to 1000, got '2.5'");
    expect(() => integerParam({ train: '1001' }, 'train', 1, 1, 1000)).toThrow(/an integer from 1 to 1000, got '1001'/);
  });

  it('are what the experiments read: mnist refuses a bad training length the same way', () => {
    expect(() => mnistSettings(false, { train: '0' }, 1)).toThrow("--param train: expected an integer from 1 to 10000000, got '0'");
    expect(mnistSettings(false, { lr: '0.005', tauInMs: '2' }, 1)).toMatchObject({ lrPerPresentation: 0.005, tauInMs: 2 });
  });
});
