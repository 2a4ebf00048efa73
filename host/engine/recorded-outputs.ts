import { readInputText } from '../../core/input-file.js';
import { parseNumericCsv } from '../../core/csv.js';
import { InputError } from '../../core/errors.js';
import type { NlaGraph } from '../../compiler/graph/graph.js';
import { TraceTable } from '../../emulator/probes/recorder.js';

const COLUMN = /^(u|rbar|ebar):([^[\]]+)\[(\d+)\]$/;

/**
 * Reads the output frames `nla stream --out` wrote, as an engine's traces for `nla compare --b board`:
 * `t` (ms, strictly increasing) then columns `u:pop[i]`, `rbar:pop[i]` or `ebar:pop[i]` that name neurons
 * of this network. Anything else is an InputError naming the file, line and column.
 */
export function loadBoardOutputs(file: string, graph: NlaGraph): TraceTable {
  const table = parseNumericCsv(readInputText(file), { file });
  if (table.header[0] !== 't') throw new InputError(`expected the first column to be 't' (ms), got '${table.header[0]}'`, file, 1);
  table.header.slice(1).forEach((name, k) => {
    const m = COLUMN.exec(name);
    const pop = m ? graph.neurons.find((p) => p.name === m[2]) : undefined;
    if (!m || !pop || Number(m[3]) >= pop.size) {
      throw new InputError(`column ${k + 2} is '${name}': expected u:, rbar: or ebar: and a neuron of network '${graph.name}' such as u:${graph.neurons[graph.neurons.length - 1]?.name}[0]`, file, 1);
    }
  });
  const t = table.columns[0]!;
  for (let r = 1; r < table.rows; r++) {
    if (!(t[r]! > t[r - 1]!)) throw new InputError(`t = ${t[r]} ms does not follow ${t[r - 1]} ms (times must increase)`, file, table.lines[r], "'t'");
  }
  const traces = new TraceTable(table.header.slice(1), Math.max(1, table.rows));
  const row = new Float64Array(table.header.length - 1);
  for (let r = 0; r < table.rows; r++) {
    for (let c = 1; c < table.header.length; c++) row[c - 1] = table.columns[c]![r]!;
    traces.push(t[r]!, row);
  }
  return traces;
}
