import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { gatewareCapacity } from '../../host/fpga/gateware-capacity.js';
import { nla } from '../cli/run-nla.js';

/** What `nla stream --json` prints (the fields the board tests read). */
export interface StreamJson {
  complete: boolean;
  board: { boardId: string; minor: number; caps: Record<string, number>; core?: { imageFormat: string; build: unknown } } | null;
  stats: { lost: number; frames: number; outputsReceived: number };
}

/** `nla stream … --json` of the bundled example to a port; asserts a complete, lossless run and returns its JSON summary. */
export function streamTo(port: string, out: string, extra: string[]): StreamJson {
  const r = nla(['stream', '--port', port, '--image', 'examples/teacher/network.json', '--input', 'examples/teacher/input.csv', '--out', out, '--json', ...extra]);
  expect(r.code, r.err).toBe(0);
  const j = JSON.parse(r.out) as StreamJson;
  expect(j.complete).toBe(true);
  expect(j.stats.lost).toBe(0);
  return j;
}

/**
 * Streams the example with `extra` to the RTL board at `rtlPort` (plus `rtlExtra`) and to the virtual board at
 * `virtualPort`: `frames` outputs arrive, the RTL board's HELLO_ACK announces what the gateware holds
 * (gatewareCapacity: board_top.v's parameters and its firmware's), and the two CSVs are equal byte for byte.
 */
export function rtlEqualsVirtual(rtlPort: string, virtualPort: string, dir: string, name: string, frames: number, extra: readonly string[], rtlExtra: readonly string[] = []): void {
  const j = streamTo(rtlPort, join(dir, `${name}-rtl.csv`), [...extra, ...rtlExtra]);
  expect(j.stats.outputsReceived).toBe(frames);
  const g = gatewareCapacity();
  expect(j.board!.boardId).toBe(g.boardId);
  expect(j.board!.caps).toEqual(g.caps);
  // protocol 1.1 and the vector core's build (CORE_INFO) where board_top's core is the vector core
  if (g.vcore) expect([j.board!.minor, j.board!.core]).toEqual([1, { imageFormat: 'nlav', build: g.vcore }]);
  streamTo(virtualPort, join(dir, `${name}-virtual.csv`), [...extra]);
  const a = readFileSync(join(dir, `${name}-rtl.csv`), 'utf8');
  const b = readFileSync(join(dir, `${name}-virtual.csv`), 'utf8');
  expect(a.trim().split('\n').length).toBe(frames + 1); // the header and a row per frame
  expect(a === b, firstDifferentLine(a, b)).toBe(true);
}

/** The first line where two CSVs differ, for the failure message. */
function firstDifferentLine(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return `line ${i + 1}:\n  rtl     ${x[i]}\n  virtual ${y[i]}`;
  return 'identical';
}
