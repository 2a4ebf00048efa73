import { spawnVirtualBoard, type SpawnedBoard } from '../../host/board/spawn.js';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasSocat } from '../pty-available.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, nla, root } from './run-nla.js';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { decodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { fromSignal, toSignal, UP5K16, WIDE } from '../../hardware-models/fixed-point/format.js';

const ex = join(root, 'examples/teacher');

describe.skipIf(!hasSocat)('nla image, board virtual, stream, replay, compare --b board (separate processes, real pty)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nla-board-cli-'));
  let board: SpawnedBoard;

  beforeAll(async () => {
    ensureBuilt();
    board = await spawnVirtualBoard([]);
  });
  afterAll(async () => {
    if (board) expect(await board.stop()).toBe(0);
  });

  it('nla image writes a binary image and reports its formats', () => {
    const r = nla(['image', join(ex, 'network.json'), '--out', join(dir, 'img.bin'), '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s).toMatchObject({ neurons: 27, inputs: 6, outputs: 3, synapses: 243, stepsPerFrame: 10, iterations: 4 });
    expect(decodeImage(new Uint8Array(readFileSync(join(dir, 'img.bin')))).nNeurons).toBe(27);
  });

  it('nla stream: 2 s of the example input through the pty; outputs equal the core in-process, the log replays bit-exact', () => {
    const r = nla(['stream', '--port', board.port, '--image', join(dir, 'img.bin'), '--input', join(ex, 'input.csv'), '--duration', '2s', '--out', join(dir, 'out.csv'), '--log', join(dir, 'log.jsonl'), '--json', '--quiet']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    expect(s.stats).toMatchObject({ frames: 2000, sent: 2000, acknowledged: 2000, outputsReceived: 2000, lost: 0 });
    expect(s.stats.latencyMs.p99).toBeGreaterThan(0);
    // the CSV: t at each frame's end, u of the outputs, equal to the in-process core on the same frames
    const lines = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('t,u:out[0],u:out[1],u:out[2]');
    expect(lines.length).toBe(2001);
    const core = new FixedPointCore(decodeImage(new Uint8Array(readFileSync(join(dir, 'img.bin')))));
    const input = readFileSync(join(ex, 'input.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    let row = 0;
    for (let k = 0; k < 2000; k++) {
      while (row + 1 < input.length && input[row + 1]![0]! <= k) row++;
      const out = core.frame(input[row]!.slice(1).map(toSignal), false);
      const csv = lines[k + 1]!.split(',').map(Number);
      expect(csv[0]).toBe(k + 1);
      expect(csv.slice(1)).toEqual(Array.from(out, fromSignal));
    }
    const rp = nla(['replay', join(dir, 'log.jsonl'), '--json']);
    expect(rp.code).toBe(0);
    expect(JSON.parse(rp.out)).toMatchObject({ checked: 2000, inputFrames: 2000, mismatchCount: 0, unmatched: 0 });
  }, 60_000);

  it('nla replay catches a board whose output differs from the reference', () => {
    const lines = readFileSync(join(dir, 'log.jsonl'), 'utf8').trim().split('\n');
    const k = lines.findIndex((l) => l.includes('"kind":"message"') && l.includes('"type":"output-frame"'));
    const e = JSON.parse(lines[k]!);
    e.payload = e.payload.slice(0, -2) + (e.payload.endsWith('00') ? '01' : '00'); // one bit of the last value
    lines[k] = JSON.stringify(e);
    writeFileSync(join(dir, 'bad.jsonl'), lines.join('\n'));
    const rp = nla(['replay', join(dir, 'bad.jsonl')]);
    expect(rp.code).toBe(5);
    expect(rp.out).toMatch(/1 output frame\(s\) differ from the reference/);
  });

  it('nla compare --b board: fixed point vs float within the documented bound', () => {
    const r = nla(['compare', join(ex, 'network.json'), '--a', 'digital', '--b', 'board', '--board-outputs', join(dir, 'out.csv'), '--image', join(dir, 'img.bin'), '--input', join(ex, 'input.csv'), '--duration', '2s', '--probe', 'u:out', '--report', join(dir, 'cmp.html'), '--json', '--quiet']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out).summary;
    expect(s['probes compared']).toBe(3);
    expect(s['max |error|']).toBeLessThanOrEqual(2 ** -12);
    expect(s['max |error|']).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'cmp.html'), 'utf8')).toContain('<svg');
  }, 60_000);

  it('a board with a too small capacity is refused before streaming, naming both values (exit 4)', async () => {
    const small = await spawnVirtualBoard(['--max-neurons', '20', '--board-id', 'tiny']);
    try {
      const r = nla(['stream', '--port', small.port, '--image', join(dir, 'img.bin'), '--input', join(ex, 'input.csv'), '--duration', '10ms', '--quiet']);
      expect(r.code).toBe(4);
      expect(r.err).toMatch(/does not fit board 'tiny': it needs 27 neurons, the board offers at most 20 \(maxNeurons\)/);
    } finally {
      await small.stop();
    }
  }, 30_000);

  it('a port that does not exist: a clear error naming it (exit 4), no stack trace', () => {
    const r = nla(['stream', '--port', join(dir, 'no-such-tty'), '--image', join(dir, 'img.bin'), '--input', join(ex, 'input.csv'), '--duration', '10ms', '--retries', '0', '--quiet']);
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/no-such-tty: no such device/);
    expect(r.err).not.toMatch(/at .*\.js:\d+/);
  });

  it('nla ports works without udevadm (fallback scan) and lists the virtual board', () => {
    const r = nla(['ports', '--json'], { ...process.env, PATH: '/usr/local/bin:/usr/bin:/bin'.split(':').filter((d) => !existsSync(join(d, 'udevadm'))).join(':') });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.ports.some((p: { path: string; kind: string }) => p.path === board.port && p.kind === 'virtual')).toBe(true);
  });

  it('nla ports with a udevadm that fails: still no crash, falls back to the scan', () => {
    const fake = join(dir, 'fakebin');
    mkdirSync(fake, { recursive: true });
    writeFileSync(join(fake, 'udevadm'), '#!/bin/sh\nexit 3\n');
    chmodSync(join(fake, 'udevadm'), 0o755);
    const r = nla(['ports', '--json'], { ...process.env, PATH: `${fake}:${process.env.PATH}` });
    expect(r.code).toBe(0);
    expect(Array.isArray(JSON.parse(r.out).ports)).toBe(true);
  });
});

describe.skipIf(!hasSocat)('nla board virtual --core vcore: the host compiles the vector-core image for it (separate processes, real pty)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nla-vcore-cli-'));
  let board: SpawnedBoard;

  beforeAll(async () => {
    ensureBuilt();
    board = await spawnVirtualBoard(['--core', 'vcore']);
  });
  afterAll(async () => {
    if (board) expect(await board.stop()).toBe(0);
  });

  it('nla stream: outputs equal FixedPointCore in UP5K16 (not WIDE), and nla replay checks the log against the vector core', () => {
    expect(nla(['image', join(ex, 'network.json'), '--out', join(dir, 'img.bin')]).code).toBe(0);
    const r = nla(['stream', '--port', board.port, '--image', join(dir, 'img.bin'), '--input', join(ex, 'input.csv'), '--duration', '1s', '--out', join(dir, 'out.csv'), '--log', join(dir, 'log.jsonl'), '--json', '--quiet']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).stats).toMatchObject({ frames: 1000, outputsReceived: 1000, lost: 0 });
    const lines = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n');
    const img = decodeImage(new Uint8Array(readFileSync(join(dir, 'img.bin'))));
    const up5k = new FixedPointCore(img, UP5K16);
    const wide = new FixedPointCore(img, WIDE);
    const input = readFileSync(join(ex, 'input.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    let row = 0;
    let differsFromWide = 0;
    for (let k = 0; k < 1000; k++) {
      while (row + 1 < input.length && input[row + 1]![0]! <= k) row++;
      const x = input[row]!.slice(1).map(toSignal);
      const out = up5k.frame(x, false);
      const w = wide.frame(x, false);
      const csv = lines[k + 1]!.split(',').map(Number).slice(1);
      expect(csv).toEqual(Array.from(out, fromSignal));
      if (w.some((v, i) => v !== out[i])) differsFromWide++;
    }
    expect(differsFromWide).toBeGreaterThan(0);
    const rp = nla(['replay', join(dir, 'log.jsonl'), '--json']);
    expect(rp.code).toBe(0);
    expect(JSON.parse(rp.out)).toMatchObject({ checked: 1000, inputFrames: 1000, mismatchCount: 0, unmatched: 0 });
  }, 60_000);
});
