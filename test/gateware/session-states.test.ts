import { afterEach, describe, expect, it } from 'vitest';
import { FLAG_ACK, FLAG_SEQ } from '../../host/protocol/frame.js';
import { ERROR_CODE, NO_FRAME, PARAM, type Message } from '../../host/protocol/messages.js';
import { chunks, essence, referenceBoard, smallImage } from './fixtures.js';
import { BOARDS, buildFirmwareTb, buildSessionTb, hasCc, hasVerilator, SessionTb, TestHost } from './session-tb.js';

let tb: SessionTb | null = null;
afterEach(() => tb?.close());
async function open(build: () => string): Promise<TestHost> {
  tb = new SessionTb(build());
  const host = new TestHost(tb);
  await tb.waitFrames(1, 20);
  await host.hello(42);
  return host;
}

/**
 * Sends each message to the RTL board and to the reference board (VirtualBoard.handle, the same
 * messages in the same order) and requires the same answers, message by message (error texts and the
 * core's numbers aside). A message the reference does not answer must get no answer within 20 ms.
 */
async function sameAsReference(host: TestHost, msgs: Message[]): Promise<Message[][]> {
  const ref = referenceBoard();
  const all: Message[][] = [];
  for (const m of msgs) {
    const want = await ref.handle(m, null);
    const got = await host.request(m, want.length, 100);
    if (want.length === 0) got.push(...(await tb!.ms(20)).filter((t) => t.frame.type !== 0x0d).map((t) => t.message!));
    expect({ m: m.type, answers: got.map(essence) }).toEqual({ m: m.type, answers: want.map(essence) });
    all.push(got);
  }
  return all;
}

const img = smallImage();
const start = (firstFrame: number, probes = 1): Message => ({ type: 'start-stream', firstFrame, framePeriodUs: 1000, probes });
const input = (frame: number, n = 3): Message => ({ type: 'input-frame', frame, timeUs: frame * 1000 + 7, values: Int32Array.from({ length: n }, (_, i) => 1000 * (i + 1) + frame) });
const target = (frame: number, n = 2): Message => ({ type: 'target-frame', frame, values: Int32Array.from({ length: n }, (_, i) => 500 * (i + 1)) });
const param = (id: number, value: number): Message => ({ type: 'set-param', id, value });

for (const [board, build, available] of BOARDS) describe.skipIf(!available)(`${board}: gateware session: board states and errors (docs/protocol.md 7.1, 8) against the reference board`, () => {
  it('every message in IDLE, LOADED and STREAMING, with the error codes in the order of their checks', async () => {
    const host = await open(build);
    const answers = await sameAsReference(host, [
      // IDLE (no image)
      { type: 'reset', restoreWeights: true },
      start(0),
      { type: 'stop-stream' },
      { type: 'end-stream', lastFrame: 0, framesProcessed: 0 },
      input(0),
      target(0),
      param(PARAM.LEARN, 1),
      param(PARAM.BETA_Q16, 100),
      param(PARAM.ITERATIONS, 3),
      param(9, 0),
      { type: 'resend-outputs', fromFrame: 0 },
      { type: 'output-frame', frame: 0, timeUs: 0, values: new Int32Array(2) },
      { type: 'status', state: 0, framesProcessed: 0, lastFrame: 0, saturations: 0, rejectedFrames: 0, imageLoaded: false },
      ...chunks(img, 100),
      // LOADED
      param(PARAM.BETA_Q16, 100),
      param(PARAM.BETA_Q16, 16_777_216),
      param(PARAM.BETA_Q16, -1),
      param(PARAM.ITERATIONS, 0),
      param(PARAM.ITERATIONS, 65_536),
      param(PARAM.ITERATIONS, 5),
      param(PARAM.LEARN, 2),
      param(PARAM.LEARN, 0),
      { type: 'reset', restoreWeights: false },
      start(0, 0),
      start(0, 16),
      start(5),
      input(0),
      start(0, 15),
      // STREAMING
      input(1),
      input(0, 2),
      target(0, 1),
      target(1),
      target(0),
      input(0),
      input(1),
      ...chunks(img, 100).slice(0, 1),
      start(2),
      start(5),
      { type: 'resend-outputs', fromFrame: 0 },
      { type: 'resend-outputs', fromFrame: 1 },
      { type: 'resend-outputs', fromFrame: 2 },
      { type: 'end-stream', lastFrame: 1, framesProcessed: 2 },
      input(2),
      start(2),
      input(2),
      { type: 'stop-stream' },
      target(3),
      start(0),
      input(0),
      { type: 'reset', restoreWeights: true },
      { type: 'resend-outputs', fromFrame: 0 },
      start(1),
      start(0),
      input(0),
      { type: 'end-stream', lastFrame: 0, framesProcessed: 1 },
      { type: 'stop-stream' },
    ]);
    // the texts (read from rx_queue's memory since the texts moved there): with and without a number
    expect(answers[0]![0]).toMatchObject({ type: 'error', code: ERROR_CODE.NO_IMAGE, message: 'no image loaded' });
    expect(answers[4]![0]).toMatchObject({ type: 'error', message: 'input only while streaming' });
    expect(answers[5]![0]).toMatchObject({ type: 'error', message: 'targets only while streaming' });
    expect(answers[7]![0]).toMatchObject({ type: 'error', code: ERROR_CODE.BAD_PARAM, message: 'no image loaded' });
    expect(answers[9]![0]).toMatchObject({ type: 'error', code: ERROR_CODE.BAD_PARAM, message: 'no image loaded' });
    expect(answers[11]![0]).toMatchObject({ type: 'error', message: 'board does not accept type 0x0000000a' });
  }, 300_000); // one board build per describe, under Verilator: past the default 120 s on a loaded machine

  it('LOAD_IMAGE chunk rules (5.4): size, sequence, total, overrun; validation and capacity name the byte', async () => {
    const host = await open(build);
    const T = img.length;
    const ld = (offset: number, total: number, from: number, to: number): Message => ({ type: 'load-image', offset, total, chunk: img.slice(from, to) });
    const rest: Message[] = [];
    for (let o = 200; o < T; o += 1000) rest.push(ld(o, T, o, Math.min(T, o + 1000)));
    const answers = await sameAsReference(host, [
      ld(0, 47, 0, 10),                 // total below 48
      ld(0, 67_108_865, 0, 10),         // total above 64 MiB
      ld(100, T, 100, 200),             // no load started
      ld(0, T, 0, 100),                 // starts a buffer: no answer
      ld(200, T, 200, 300),             // skips a chunk
      ld(100, T + 1, 100, 200),         // another total
      ld(100, T, 100, 200),             // the right one: still accepted after the refusals
      ...rest,                          // the rest, the last answered with STATUS
      ld(0, 60, 0, 61),                 // a chunk past the end of a new buffer
    ]);
    expect(answers.map((a) => a.map((m) => (m.type === 'error' ? m.code : m.type)))).toEqual([
      [ERROR_CODE.BAD_IMAGE], [ERROR_CODE.BAD_IMAGE], [ERROR_CODE.BAD_IMAGE], [], [ERROR_CODE.BAD_IMAGE], [ERROR_CODE.BAD_IMAGE], [],
      ...rest.slice(1).map(() => []), ['status'], [ERROR_CODE.BAD_IMAGE],
    ]);
    expect(answers[0]![0]).toMatchObject({ message: 'image size outside 48..67108864: 0x0000002f' });
    expect(answers[4]![0]).toMatchObject({ message: 'chunk out of sequence, offset 0x000000c8' });
    // a corrupted image: the core's validation names the byte (the stub checks the magic at byte 0)
    const bad = img.slice();
    bad[1] = bad[1]! ^ 0xff;
    const r = await sameAsReference(host, chunks(bad, 1000));
    expect(r.at(-1)![0]).toMatchObject({ type: 'error', code: ERROR_CODE.BAD_IMAGE, message: 'invalid image at byte 0x00000000' });
    // an image beyond the board's capabilities (70 inputs, the board holds 64): CAPACITY naming nStimulusInputs (byte 28)
    const big = smallImage([70, 2]);
    const c = await sameAsReference(host, chunks(big, 1000));
    expect(c.at(-1)![0]).toMatchObject({ type: 'error', code: ERROR_CODE.CAPACITY, message: 'exceeds a capability at byte 0x0000001c' });
    // an image larger than the core's staging memory (16 KiB in the harness): CAPACITY after its last
    // chunk, naming its size (the reference board has no such limit: a documented difference)
    const huge = smallImage([40, 90, 2]);
    expect(huge.length).toBeGreaterThan(16384);
    for (const ch of chunks(huge, 1000).slice(0, -1)) expect(await host.request(ch, 0)).toEqual([]);
    expect(await host.request(chunks(huge, 1000).at(-1)!, 1, 200)).toEqual([{ type: 'error', code: ERROR_CODE.CAPACITY, frame: NO_FRAME, message: `image exceeds staging memory: 0x${huge.length.toString(16).padStart(8, '0')}` }]);
    // a failed load keeps the running image
    expect(await host.request({ type: 'stop-stream' })).toEqual([expect.objectContaining({ type: 'status', state: 1, imageLoaded: true })]);
  });

  it('messages that do not decode: BAD_FRAME for a known type, UNKNOWN_MESSAGE otherwise; both consumed and acknowledged', async () => {
    const host = await open(build);
    const stop: Message = { type: 'stop-stream' };
    const bad = await host.request(stop, 1, 50, { payload: new Uint8Array([1]) });
    expect(bad).toEqual([expect.objectContaining({ type: 'error', code: ERROR_CODE.BAD_FRAME, frame: NO_FRAME })]);
    const unknown = await host.request(stop, 1, 50, { type: 0x10, payload: new Uint8Array(0) });
    expect(unknown).toEqual([expect.objectContaining({ type: 'error', code: ERROR_CODE.UNKNOWN_MESSAGE, frame: NO_FRAME })]);
    const ackSeq = await host.request({ type: 'ack' }, 1, 50, { flags: FLAG_SEQ | FLAG_ACK });
    expect(ackSeq).toEqual([expect.objectContaining({ type: 'error', code: ERROR_CODE.UNKNOWN_MESSAGE })]);
    // a HELLO with SEQ set is acknowledged and ignored
    const helloSeq = await host.request({ type: 'hello', major: 1, minor: 0, window: 64, nonce: 99, hostId: 'x' }, 0, 20, { flags: FLAG_SEQ | FLAG_ACK });
    expect(helloSeq.concat((await tb!.ms(20)).filter((t) => t.frame.type !== 0x0d).map((t) => t.message!))).toEqual([]);
    // every one was consumed in order: the next message is answered, and none counts as a rejected frame
    const st = await host.request(stop);
    expect(st).toEqual([expect.objectContaining({ type: 'status', rejectedFrames: 0 })]);
    expect(tb!.sent.at(-1)!.frame.ack).toBe(host.nextSeq);
  });
});

/**
 * The firmware against the RTL itself, beyond the reference: random message sequences (a deterministic
 * generator biased towards a running stream: chunks of good, corrupt and oversized images, START_STREAM,
 * INPUT/TARGET_FRAMEs mostly in order, SET_PARAM, RESET, STOP, END_STREAM, RESEND_OUTPUTS, bad chunks), each
 * message given 300 ms for its answers (the RTL needs up to ~60 ms for a 1000-byte chunk at the tests'
 * TICK_CYCLES), every SEQ frame acknowledged. Every answer (type, seq, payload: texts and the stub core's
 * numbers included) and the final state must be the same, byte for byte.
 */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
function randomSession(r: () => number): Message[] {
  const pick = <T,>(a: T[]): T => a[Math.floor(r() * a.length)]!;
  const corrupt = img.slice();
  corrupt[1] = corrupt[1]! ^ 0xff;
  const wide = smallImage([70, 2]);
  let next = 0;
  const fr = (): number => (r() < 0.8 ? next : pick([0, next + 1, next - 1, 0xffffffff]));
  const out: Message[] = [...chunks(img, 1000), start(0, pick([1, 3, 15]))];
  for (let i = 0; i < 60; i++) {
    const k = Math.floor(r() * 20);
    if (k === 0) {
      out.push(...chunks(pick([img, img, corrupt, wide]), pick([100, 1000])));
      next = 0;
    } else if (k === 1) {
      const f = pick([0, next, next + 1, 7]);
      out.push(start(f, pick([0, 1, 2, 5, 8, 15, 16])));
      if (f === 0) next = 0;
    } else if (k <= 8) {
      const f = fr();
      out.push({ type: 'input-frame', frame: f, timeUs: Math.floor(r() * 1e6), values: Int32Array.from({ length: r() < 0.9 ? 3 : 2 }, () => Math.floor(r() * 2e6) - 1e6) });
      if (f === next) next++;
    } else if (k <= 10) out.push({ type: 'target-frame', frame: fr(), values: Int32Array.from({ length: r() < 0.9 ? 2 : 1 }, () => pick([Math.floor(r() * 2e6) - 1e6, -8388608])) });
    else if (k === 11) out.push(param(pick([1, 2, 3, 4, 0x101]), pick([0, 1, 2, 5, 65535, 65536, 0xffffff, 0x1000000, -1])));
    else if (k === 12) {
      out.push({ type: 'reset', restoreWeights: r() < 0.5 });
      next = 0;
    } else if (k === 13) out.push({ type: 'stop-stream' });
    else if (k === 14) out.push({ type: 'end-stream', lastFrame: 0, framesProcessed: 0 });
    else if (k <= 16) out.push({ type: 'resend-outputs', fromFrame: Math.max(0, next - Math.floor(r() * 40)) });
    else if (k === 17) out.push({ type: 'load-image', offset: pick([0, 100, 1000]), total: pick([47, 48, img.length, 70_000_000]), chunk: img.slice(0, pick([0, 10, 100])) });
    else out.push(start(next, pick([1, 3, 15])));
  }
  return out;
}
async function transcript(bin: string, msgs: Message[]): Promise<string[]> {
  const t = new SessionTb(bin);
  try {
    const host = new TestHost(t);
    await t.waitFrames(1, 20);
    await host.hello(42);
    const log: string[] = [];
    for (const m of msgs) {
      const got = (await host.send(m)).filter((x) => x.frame.type !== 0x0d);
      for (let i = 0; i < 300; i++) {
        const more = host.see(await t.ms(1));
        got.push(...more.filter((x) => x.frame.type !== 0x0d));
        if (more.some((x) => x.frame.flags & FLAG_SEQ)) await host.ack();
      }
      log.push(`${m.type}: ${got.map((x) => `${x.frame.type}/${x.frame.seq}/${Buffer.from(x.frame.payload).toString('hex')}`).join(' ')}`);
    }
    log.push(`state ${JSON.stringify(await t.state())}`);
    return log;
  } finally {
    t.close();
  }
}
describe.skipIf(!hasVerilator || !hasCc)('firmware vs RTL: random message sequences, answer for answer', () => {
  for (const seed of [1, 3, 5, 8]) {
    it(`seed ${seed}`, async () => {
      const msgs = randomSession(lcg(seed));
      const rtl = await transcript(buildSessionTb(), msgs);
      expect(rtl.filter((l) => / 10\//.test(l)).length).toBeGreaterThan(0);   // (outputs were computed)
      expect(await transcript(buildFirmwareTb(), msgs)).toEqual(rtl);
    }, 60_000);
  }
});
