import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { InputError } from '../../core/errors.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import { encodeImage, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { sampleFrames } from '../../emulator/stimulus/frames.js';
import { VirtualBoard } from '../../host/board/virtual-board.js';
import { encodeFrame, FrameDecoder, type Frame } from '../../host/protocol/frame.js';
import { decodePayload, encodePayload, MSG } from '../../host/protocol/messages.js';
import { replayLog } from '../../host/replay.js';
import { LOG_FORMAT, readStreamLog, StreamLogWriter } from '../../host/stream-log.js';
import { streamToBoard } from '../../host/stream.js';
import { memoryPair } from '../../host/transport/memory.js';
import { FaultyTransport } from '../../host/transport/faulty.js';
import { sines } from '../helpers.js';
import { ensureBuilt, nla } from '../cli/run-nla.js';

const graph = buildGraph(loadSpecFile('examples/teacher/network.json'));
const image = compileBoardImage(graph, { dtMs: 0.1, frameMs: 1 }).image;
const N = 40;
const dir = mkdtempSync(join(tmpdir(), 'nla-replay-'));
const logPath = join(dir, 'log.jsonl');
let lines: string[] = [];

/** The log with line k (0-based) replaced. */
function edited(k: number, edit: (e: Record<string, unknown>) => unknown, name: string): string {
  const copy = [...lines];
  copy[k] = JSON.stringify(edit(JSON.parse(copy[k]!) as Record<string, unknown>));
  const p = join(dir, name);
  writeFileSync(p, copy.join('\n') + '\n');
  return p;
}
const decodeLine = (hexBytes: string): Frame => {
  const got: Frame[] = [];
  new FrameDecoder((f) => got.push(f)).push(Buffer.from(hexBytes, 'hex'));
  return got[0]!;
};
/** Index of the log line of the received output-frame message of frame n (its payload starts with n, u32 LE). */
const outputMessageLine = (n: number) => {
  const le = Buffer.alloc(4);
  le.writeUInt32LE(n);
  return lines.findIndex((l) => l.includes('"type":"output-frame"') && l.includes(`"payload":"${le.toString('hex')}`));
};
/** Index of the first received OUTPUT_FRAME frame line. */
const firstOutputFrameLine = () => lines.findIndex((l) => l.includes('"kind":"frame"') && l.includes('"dir":"rx"') && l.includes(`"type":${MSG.OUTPUT_FRAME},`));

beforeAll(async () => {
  const bytes = encodeImage(image);
  const writer = new StreamLogWriter(logPath, { format: LOG_FORMAT, startedAt: 'test', port: 'memory', baud: 921600, image: 'teacher', imageCrc: `0x${imageId(bytes).toString(16).padStart(8, '0')}`, frames: N });
  const board = new VirtualBoard();
  await streamToBoard({
    connect: async () => {
      const [h, b] = memoryPair();
      board.attach(b);
      return h;
    },
    image: bytes,
    inputs: sampleFrames(sines(graph.nStimulusInputs), 1, N).map((f) => Int32Array.from(f, toSignal)),
    frameUs: 1000,
    session: { log: writer.write },
  });
  await writer.close();
  lines = readFileSync(logPath, 'utf8').trim().split('\n');
});

describe('nla replay checks what the line carried (issue 13, item 12)', () => {
  it('a clean log: every output equals the reference, from the messages and from the bytes on the line', async () => {
    const r = await replayLog(readStreamLog(logPath));
    expect(r.lineIssues).toEqual([]);
    expect(r.mismatches).toEqual([]);
    expect(r.checked).toBe(N);
    expect(r.lineOutputsChecked).toBeGreaterThanOrEqual(N);
    expect(r.missing).toEqual([]);
  });

  it('a log of a noisy line (frames corrupted and dropped, recovered by retransmission) passes: lost frames are not missing ones', async () => {
    const bytes = encodeImage(image);
    const path = join(dir, 'noisy.jsonl');
    const writer = new StreamLogWriter(path, { format: LOG_FORMAT, startedAt: 'test', port: 'memory', baud: 921600, image: 'teacher', imageCrc: `0x${imageId(bytes).toString(16).padStart(8, '0')}`, frames: 200 });
    const board = new VirtualBoard();
    const res = await streamToBoard({
      connect: async () => {
        const [h, b] = memoryPair();
        board.attach(new FaultyTransport(b, { corrupt: 2e-4, drop: 2e-4, seed: 5 }));
        return new FaultyTransport(h, { corrupt: 2e-4, drop: 2e-4, seed: 6 });
      },
      image: bytes,
      inputs: sampleFrames(sines(graph.nStimulusInputs), 1, 200).map((f) => Int32Array.from(f, toSignal)),
      frameUs: 1000,
      session: { log: writer.write, retransmitMs: 30 },
    });
    await writer.close();
    expect(res.stats.retransmitted).toBeGreaterThan(0); // the line did lose frames
    const r = await replayLog(readStreamLog(path));
    expect(r.lineIssues).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.mismatches).toEqual([]);
    expect(r.inputFrames).toBe(200);
  });

  it('an output deleted from the log (its frame line and its message line): the sequence gap and the missing output are both found', async () => {
    const k = firstOutputFrameLine();
    const frame = decodeLine(String((JSON.parse(lines[k]!) as { line: string }).line));
    const out = decodePayload(frame.type, frame.payload);
    const frameNo = out.ok && out.message.type === 'output-frame' ? out.message.frame : -1;
    const m = outputMessageLine(frameNo);
    expect(m).toBeGreaterThan(k);
    const p = join(dir, 'deleted.jsonl');
    writeFileSync(p, lines.filter((_, i) => i !== k && i !== m).join('\n') + '\n');
    const r = await replayLog(readStreamLog(p));
    expect(r.missing).toEqual([frameNo]);
    expect(r.lineIssues.some((i) => /1 sequenced frame\(s\) the board sent before this one never appear in the log/.test(i.what))).toBe(true);
  });

  it('a log cut short (the last outputs gone) is not a pass: the frames sent without an output are listed', async () => {
    // drop the output messages of the last three frames (their frames on the line stay: the log was edited)
    const gone = new Set([N - 3, N - 2, N - 1].map(outputMessageLine));
    expect(gone.has(-1)).toBe(false);
    const p = join(dir, 'cut.jsonl');
    writeFileSync(p, lines.filter((_, i) => !gone.has(i)).join('\n') + '\n');
    const r = await replayLog(readStreamLog(p));
    expect(r.missing).toEqual([N - 3, N - 2, N - 1]);
  });

  it("a raw rx frame's bytes tampered with: the CRC fails and the replay names the log line", async () => {
    const k = firstOutputFrameLine();
    const p = edited(k, (e) => {
      const b = Buffer.from(String(e.line), 'hex');
      b[20] = b[20]! === 0x01 ? 0x02 : 0x01; // inside the payload, never the delimiter
      return { ...e, line: b.toString('hex') };
    }, 'crc.jsonl');
    const r = await replayLog(readStreamLog(p));
    expect(r.lineIssues).toEqual([
      { line: k + 1, what: expect.stringMatching(/field 'line': the rx frame's bytes are not one valid frame \(rejected: crc\)/) },
      { line: k + 2, what: 'the received output-frame was not carried by any frame received before it' },
    ]);
  });

  it('a frame re-encoded with a changed output (valid CRC) but the old logged payload: the field is named', async () => {
    const k = firstOutputFrameLine();
    const p = edited(k, (e) => {
      const f = decodeLine(String(e.line));
      const d = decodePayload(f.type, f.payload);
      if (!d.ok || d.message.type !== 'output-frame') throw new Error('not an output frame');
      const values = Int32Array.from(d.message.values, (v, i) => (i === 0 ? v + 1 : v));
      return { ...e, line: Buffer.from(encodeFrame({ ...f, payload: encodePayload({ ...d.message, values }) })).toString('hex') };
    }, 'payload.jsonl');
    const r = await replayLog(readStreamLog(p));
    expect(r.lineIssues.map((i) => i.line)).toEqual([k + 1, k + 2]);
    expect(r.lineIssues[0]!.what).toMatch(/^field 'payload': the line carried/);
  });

  it('a forged output, consistent in bytes, fields and message: it differs from the bit-exact core, from both sources', async () => {
    const k = firstOutputFrameLine();
    let forged = '';
    const copy = [...lines];
    const e = JSON.parse(copy[k]!) as Record<string, unknown>;
    const f = decodeLine(String(e.line));
    const d = decodePayload(f.type, f.payload);
    if (!d.ok || d.message.type !== 'output-frame') throw new Error('not an output frame');
    const m = { ...d.message, values: Int32Array.from(d.message.values, (v, i) => (i === 0 ? v + 1 : v)) };
    const payload = encodePayload(m);
    forged = Buffer.from(payload).toString('hex');
    copy[k] = JSON.stringify({ ...e, payload: forged, line: Buffer.from(encodeFrame({ ...f, payload })).toString('hex') });
    const mk = copy.findIndex((l, i) => i > k && l.includes('"kind":"message"') && l.includes('"output-frame"'));
    copy[mk] = JSON.stringify({ ...(JSON.parse(copy[mk]!) as object), payload: forged });
    const p = join(dir, 'forged.jsonl');
    writeFileSync(p, copy.join('\n') + '\n');
    const r = await replayLog(readStreamLog(p));
    expect(r.lineIssues).toEqual([]);
    expect(r.mismatches.map((x) => [x.frame, x.source])).toEqual([
      [m.frame, 'message'],
      [m.frame, 'line'],
    ]);
  });
});

describe('every stream-log line is validated (issue 13, item 10)', () => {
  const bad = (k: number, edit: (e: Record<string, unknown>) => unknown) => () => readStreamLog(edited(k, edit, 'bad.jsonl'));
  it.each([
    ['a null line', 3, () => null, /line 4: expected a JSON object, got null/],
    ['an array', 3, () => [1], /line 4: expected a JSON object, got an array/],
    ['a frame with a non-numeric seq', 2, (e: Record<string, unknown>) => ({ ...e, kind: 'frame', seq: 'x' }), /line 3: field 'seq': expected an integer 0\.\.65535, got "x"/],
    ['a frame without its bytes', 2, (e: Record<string, unknown>) => ({ ...e, kind: 'frame', line: undefined }), /line 3: field 'line': expected non-empty lowercase hex bytes, got nothing/],
    ['an unknown kind', 2, (e: Record<string, unknown>) => ({ ...e, kind: 'frames' }), /line 3: field 'kind': expected 'frame' or 'message' or 'event', got "frames"/],
    ['a header of the old format', 0, (e: Record<string, unknown>) => ({ ...e, format: 'nla-stream-log/1' }), /line 1: field 'format': expected 'nla-stream-log\/2', got 'nla-stream-log\/1' \(a log recorded before the line bytes were logged/],
    ['a header with a bad baud', 0, (e: Record<string, unknown>) => ({ ...e, baud: -5 }), /line 1: field 'baud': expected an integer/],
  ])('%s: an InputError naming the file, line and field', (_name, k, edit, msg) => {
    const f = bad(k, edit);
    expect(f).toThrow(InputError);
    expect(f).toThrow(msg);
    expect(f).toThrow(/bad\.jsonl/);
  });

  it('a message whose type does not match its code and payload is refused, naming the field', () => {
    const k = lines.findIndex((l) => l.includes('"kind":"message"') && l.includes('"output-frame"'));
    expect(bad(k, (e) => ({ ...e, type: 'status' }))).toThrow(new RegExp(`line ${k + 1}: field 'type': expected 'output-frame'`));
  });

  it('nla replay on a log with a null line: exit 2 and one message naming the file and line, no stack trace', () => {
    ensureBuilt();
    const p = edited(3, () => null, 'null.jsonl');
    const r = nla(['replay', p]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`nla: ${p}: line 4: expected a JSON object, got null\n`);
  });

  it('nla replay on a tampered raw frame: exit 5, naming the log line', () => {
    ensureBuilt();
    const k = firstOutputFrameLine();
    const p = edited(k, (e) => ({ ...e, line: String(e.line).replace(/^(.{40})(..)/, (_, a: string, b: string) => a + (b === '11' ? '12' : '11')) }), 'tampered.jsonl');
    const r = nla(['replay', p]);
    expect(r.code).toBe(5);
    expect(r.out).toMatch(new RegExp(`2 problem\\(s\\) with the frames on the line\\n  line ${k + 1}: field 'line'`));
  });
});
