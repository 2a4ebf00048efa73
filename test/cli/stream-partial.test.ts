import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/nla.js';
import { outputCsv, partialNote } from '../../cli/stream-results.js';
import { parseNumericCsv } from '../../core/csv.js';
import { serveVirtualBoard, type ServedBoard } from '../../host/board/serve.js';
import { hasSocat } from '../pty-available.js';
import { ensureBuilt, nla, root } from './run-nla.js';

const ex = join(root, 'examples/teacher');

describe('a failed stream keeps its results (issue 13, item 5)', () => {
  let served: ServedBoard | null = null;
  afterEach(async () => {
    vi.restoreAllMocks();
    await served?.close();
    served = null;
  });

  it('the CSV keeps a row for every frame; frames without an output have empty values, so no reader takes it for complete', () => {
    const csv = outputCsv(['u:out[0]', 'u:out[1]'], 1, [Int32Array.of(65536, -32768), new Int32Array(0), Int32Array.of(0, 1)]);
    expect(csv).toBe('t,u:out[0],u:out[1]\n1,1,-0.5\n2,,\n3,0,0.0000152587890625\n');
    expect(() => parseNumericCsv(csv, { file: 'out.csv' })).toThrow(/out\.csv.*line 3/);
    const note = partialNote({ result: null as never, missing: [1, 5, 6, 7], unacknowledged: [], error: 'x' }, 10, ['out.csv']);
    expect(note).toBe('stream: failed after 6 of 10 output frames; missing: 1, 5–7; wrote what arrived to out.csv (frames without an output have empty values)\n');
  });

  it('a board that cannot be reached: exit 4, and still the CSV (every row marked missing) and the JSON summary with the missing list', () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'nla-partial-'));
    const r = nla(['stream', '--port', join(dir, 'no-such-tty'), '--image', join(ex, 'network.json'), '--input', join(ex, 'input.csv'), '--duration', '5ms', '--retries', '0', '--out', join(dir, 'out.csv'), '--json', '--quiet']);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/stream: failed after 0 of 5 output frames; missing: 0–4; wrote what arrived to .*out\.csv/);
    expect(r.err).toMatch(/nla: could not reach the board/);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ complete: false, missing: [0, 1, 2, 3, 4], board: null });
    expect(j.error).toMatch(/no-such-tty: no such device/);
    expect(readFileSync(join(dir, 'out.csv'), 'utf8')).toBe('t,u:out[0],u:out[1],u:out[2]\n1,,,\n2,,,\n3,,,\n4,,,\n5,,,\n');
  }, 30_000);

  it.skipIf(!hasSocat)('the line dies mid-stream: what arrived is written, the rest is marked, the summary lists the missing frames, exit 4', async () => {
    served = await serveVirtualBoard({ restore: false });
    const s = served;
    const dir = mkdtempSync(join(tmpdir(), 'nla-partial-'));
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (out.push(String(c)), true));
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => (err.push(String(c)), true));
    const cut = setInterval(() => {
      if (s.board.counters.framesProcessed >= 300) {
        clearInterval(cut);
        void s.cutLine();
      }
    }, 2);
    const code = await main(['node', 'nla', 'stream', '--port', s.hostPath, '--image', join(ex, 'network.json'), '--input', join(ex, 'input.csv'), '--duration', '20s', '--retries', '0', '--out', join(dir, 'out.csv'), '--json', '--quiet']);
    clearInterval(cut);
    vi.restoreAllMocks();
    expect(code).toBe(4);
    const j = JSON.parse(out.join(''));
    expect(j.complete).toBe(false);
    expect(j.missing.length).toBeGreaterThan(0);
    expect(j.missing.length).toBeLessThan(20_000);
    expect(j.stats.outputsReceived).toBe(20_000 - j.missing.length);
    const rows = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows.length).toBe(20_000);
    const empty = rows.flatMap((row, k) => (row.endsWith(',,,') ? [k] : []));
    expect(empty).toEqual(j.missing); // the CSV marks exactly the frames the summary lists
    expect(err.join('')).toMatch(new RegExp(`failed after ${20_000 - j.missing.length} of 20000 output frames`));
    expect(existsSync(join(dir, 'out.csv'))).toBe(true);
  }, 60_000);
});
