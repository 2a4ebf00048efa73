import { readInputText } from '../../core/input-file.js';
import { parseNumericCsv } from '../../core/csv.js';
import { InputError } from '../../core/errors.js';
import type { Impulse } from '../drive.js';
import { TableSignal, type Interpolation } from './table-signal.js';


/**
 * Loads a signal CSV: a `t` column (ms) then one column per channel. When every channel column is named
 * like `pop[i]`, the names must equal `expected` in order (so a file written for another network is
 * refused); otherwise columns are taken in order and only their number is checked. Empty cells are
 * allowed only when `allowEmpty` (targets: "no target at this time").
 */
export function loadSignalCsv(file: string, interpolation: Interpolation, expected: string[], allowEmpty = false): TableSignal {
  const table = parseNumericCsv(readInputText(file), { file, allowEmpty });
  const sig = TableSignal.fromTable(table, interpolation, file);
  if (sig.channels !== expected.length) {
    throw new InputError(`expected ${expected.length} channel columns after 't' (${describeNames(expected)}), got ${sig.channels}`, file, 1);
  }
  if (sig.names.every((n) => /^[^[\]]+\[\d+\]$/.test(n))) {
    const bad = sig.names.findIndex((n, i) => n !== expected[i]);
    if (bad >= 0) throw new InputError(`column ${bad + 2} is '${sig.names[bad]}', expected '${expected[bad]}'`, file, 1);
  }
  return sig;
}

function describeNames(names: string[]): string {
  return names.length <= 4 ? names.join(', ') : `${names[0]} … ${names[names.length - 1]}`;
}

/**
 * Loads input events: CSV with header `t,channel,kind,value`. `kind` is `delta` (an impulse of the rate
 * with integral `value`, rate·ms: r̄_in jumps by value/τ_in) or `step` (the rate rises by `value` from t
 * on). `channel` is an index or a name such as `in[3]`. Returns impulses and step offsets separately.
 */
export function loadEventsCsv(file: string, channelNames: string[]): { impulses: Impulse[]; steps: Array<{ tMs: number; channel: number; value: number }> } {
  const lines = readInputText(file).split(/\r?\n/);
  const impulses: Impulse[] = [];
  const steps: Array<{ tMs: number; channel: number; value: number }> = [];
  let header = false;
  lines.forEach((raw, ln) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim());
    if (!header) {
      if (cells.join(',') !== 't,channel,kind,value') throw new InputError(`expected the header 't,channel,kind,value', got '${line}'`, file, ln + 1);
      header = true;
      return;
    }
    if (cells.length !== 4) throw new InputError(`expected 4 cells, got ${cells.length}`, file, ln + 1);
    const t = Number(cells[0]);
    if (!Number.isFinite(t)) throw new InputError(`expected a time in ms, got '${cells[0]}'`, file, ln + 1, "'t'");
    let channel = /^\d+$/.test(cells[1]!) ? Number(cells[1]) : channelNames.indexOf(cells[1]!);
    if (channel < 0 || channel >= channelNames.length) {
      throw new InputError(`unknown channel '${cells[1]}'; expected an index below ${channelNames.length} or a name such as ${channelNames[0]}`, file, ln + 1, "'channel'");
    }
    channel = Math.trunc(channel);
    const value = Number(cells[3]);
    if (!Number.isFinite(value)) throw new InputError(`expected a number, got '${cells[3]}'`, file, ln + 1, "'value'");
    if (cells[2] === 'delta') impulses.push({ tMs: t, channel, area: value });
    else if (cells[2] === 'step') steps.push({ tMs: t, channel, value });
    else throw new InputError(`expected kind 'delta' or 'step', got '${cells[2]}'`, file, ln + 1, "'kind'");
  });
  if (!header) throw new InputError('the file holds no header', file);
  return { impulses, steps };
}
