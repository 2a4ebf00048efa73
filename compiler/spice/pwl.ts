import { UsageError } from '../../core/errors.js';
import { toSeconds } from '../../hardware-models/units.js';

/**
 * A SPICE PWL source spec: times (model ms → s by `timeScale`) and values (units → volts:
 * offset + value·voltsPerUnit), four points a line. `what` names the channel in errors (an empty cell).
 */
export function pwl(times: ArrayLike<number>, values: ArrayLike<number>, timeScale: number, voltsPerUnit: number, offsetV: number, what: string): string {
  const pts: string[] = [];
  for (let k = 0; k < times.length; k++) {
    const v = values[k]!;
    if (!Number.isFinite(v)) throw new UsageError(`SPICE export needs a value at every row of the input and target files: ${what} has none at t = ${times[k]} ms (an empty cell)`);
    pts.push(`${toSeconds(times[k]!, timeScale)} ${offsetV + v * voltsPerUnit}`);
  }
  const lines: string[] = [];
  for (let k = 0; k < pts.length; k += 4) lines.push(pts.slice(k, k + 4).join(' '));
  return `PWL(${lines.join('\n+ ')})`;
}
