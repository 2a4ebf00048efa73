import { expect } from 'vitest';
import { nla } from '../cli/run-nla.js';

/** What `nla stream --json` prints (the fields the board tests read). */
export interface StreamJson {
  complete: boolean;
  board: { boardId: string; caps: Record<string, number> } | null;
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
