import { describe, expect, it } from 'vitest';
import { buildGraph } from '../../compiler/graph/build.js';
import { loadSpecFile } from '../../compiler/spec/load.js';
import { compileBoardImage } from '../../compiler/board/compile-image.js';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { toSignal } from '../../hardware-models/fixed-point/format.js';
import { encodeImage } from '../../hardware-models/fixed-point/image-codec.js';
import { sampleFrames } from '../../emulator/stimulus/frames.js';
import { VirtualBoard } from '../../host/board/virtual-board.js';
import { StreamError, streamToBoard, type StreamRequest } from '../../host/stream.js';
import { StallGuard, type StallSession } from '../../host/stream/stall-guard.js';
import { memoryPair } from '../../host/transport/memory.js';
import type { ByteTransport } from '../../host/transport/transport.js';
import { sines } from '../helpers.js';
import { ensureBuilt, nla, root } from '../cli/run-nla.js';
import { join } from 'node:path';

/**
 * The stall guard (StreamRequest.stallMs) measures the board's silence from the later of its last
 * message and the start of the host's current wait: a host that was idle itself (slow pacing, a long
 * image load whose chunks have no answer) is no stalled board; a board that never answers still is.
 */

const graph = buildGraph(loadSpecFile('examples/teacher/network.json'));
const image = compileBoardImage(graph, { dtMs: 0.1, frameMs: 1 }).image;
const bytes = encodeImage(image);
const frames = (n: number) => sampleFrames(sines(graph.nStimulusInputs), 1, n).map((f) => Int32Array.from(f, toSignal));
const reference = (inputs: Int32Array[]) => {
  const core = new FixedPointCore(image);
  return inputs.map((f) => core.frame(f, false));
};

/** A host end whose writes reach the line `ms` later (a slow line host → board), in order. */
function delayedWrites(t: ByteTransport, ms: number): ByteTransport {
  return {
    get open() {
      return t.open;
    },
    write(b: Uint8Array) {
      if (!t.open) return false;
      const copy = Uint8Array.from(b);
      setTimeout(() => t.write(copy), ms);
      return true;
    },
    drain: () => t.drain(),
    onData: (cb) => t.onData(cb),
    onClose: (cb) => t.onClose(cb),
    close: () => t.close(),
  };
}

function line(board: VirtualBoard, hostDelayMs = 0): StreamRequest['connect'] {
  return async () => {
    const [host, dev] = memoryPair();
    board.attach(dev);
    return hostDelayMs ? delayedWrites(host, hostDelayMs) : host;
  };
}

describe('stall guard: the host idle is not the board silent', () => {
  it('pacing slower than stallMs (1 frame/s, stallMs 600 ms) on a board that answers each frame in 200 ms: no stall, one session, bit-exact', async () => {
    // before the fix the silence ran from the previous output (800 ms before the next frame went out),
    // so the guard ended the session as soon as a frame went out, before its output could arrive
    const board = new VirtualBoard({ frameDelayMs: 200 });
    const inputs = frames(4);
    const res = await streamToBoard({ connect: line(board), image: bytes, inputs, frameUs: 1000, rateHz: 1, stallMs: 600, reconnect: { attempts: 0, delayMs: 10 } });
    expect(res.incidents).toEqual([]);
    expect(res.stats.sessions).toBe(1);
    expect(res.stats.durationMs).toBeGreaterThanOrEqual(3000);
    expect(res.outputs).toEqual(reference(inputs));
  }, 30_000);

  it('an image load longer than stallMs (small chunks on a slow line, none answered but the last): no stall, one session', async () => {
    // 600-byte chunks, each sent once the one before is acknowledged, on a line that delays the host's
    // bytes 400 ms: the load takes twice stallMs or more, and the board's STATUS comes ≥ 400 ms after
    // the last chunk. Before the fix the silence ran from the session's start (no message came during
    // the load), so the guard fired while the last chunk was still on its way.
    const board = new VirtualBoard({ caps: { maxPayload: 608 } });
    const chunks = Math.ceil(bytes.length / 600);
    expect(chunks).toBeGreaterThanOrEqual(6);
    const inputs = frames(3);
    // stallMs leaves 800 ms for a loaded machine's late timers (at 600 ms, 350 ms was once too little under load)
    const res = await streamToBoard({ connect: line(board, 400), image: bytes, inputs, frameUs: 1000, stallMs: 1200, session: { retransmitMs: 3000 }, reconnect: { attempts: 0, delayMs: 10 } });
    expect(res.incidents).toEqual([]);
    expect(res.stats.sessions).toBe(1);
    expect(res.stats.durationMs).toBeGreaterThanOrEqual(chunks * 400);
    expect(res.outputs).toEqual(reference(inputs));
  }, 60_000);

  it('a board that acknowledges the image but never answers the load: the guard ends the session, naming the request', async () => {
    const board = new VirtualBoard();
    // the board's link acknowledges every chunk, but the load is never answered (no STATUS, no ERROR)
    (board as unknown as { handlers: Record<string, () => void> }).handlers['load-image'] = () => {};
    const t0 = performance.now();
    const err = await streamToBoard({ connect: line(board), image: bytes, inputs: frames(3), frameUs: 1000, stallMs: 400, reconnect: { attempts: 0, delayMs: 10 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StreamError);
    const se = err as StreamError;
    expect(se.partial.incidents.some((i) => /sent nothing for 0\.\d s while a request has no answer/.test(i.what))).toBe(true);
    expect(se.missingOutputs).toEqual([0, 1, 2]);
    expect(performance.now() - t0).toBeLessThan(10_000);
  }, 30_000);

  it('stallMs must be a finite time > 0 ms: anything else is refused before the board is reached, naming the value', async () => {
    let connects = 0;
    const connect = async () => {
      connects++;
      return memoryPair()[0];
    };
    for (const stallMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const err = await streamToBoard({ connect, image: bytes, inputs: frames(1), frameUs: 1000, stallMs }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RangeError);
      expect((err as Error).message).toBe(`stallMs: expected a finite time > 0 ms, got ${stallMs}`);
    }
    expect(connects).toBe(0);
  });
});

describe('nla stream --stall', () => {
  const ex = join(root, 'examples/teacher');
  const args = (stall: string) => ['stream', '--port', join(root, 'no-such-tty'), '--image', join(ex, 'network.json'), '--input', join(ex, 'input.csv'), '--duration', '2ms', '--retries', '0', '--quiet', `--stall=${stall}`];

  it('a value that is not a finite time > 0 is a usage error (exit 2) naming the option and the value, before the port is tried', () => {
    ensureBuilt();
    for (const [v, msg] of [
      ['0', "--stall: expected a finite time > 0 such as 20s, got '0'"],
      ['-1s', "--stall: expected a finite time > 0 such as 20s, got '-1s'"],
      ['1e999s', "--stall: expected a finite time > 0 such as 20s, got '1e999s'"],
      ['soon', "--stall: expected a time such as 0.1ms, 5ms or 2s, got 'soon'"],
    ] as const) {
      const r = nla(args(v));
      expect([v, r.code]).toEqual([v, 2]);
      expect(r.err).toContain(msg);
      expect(r.err).not.toMatch(/no-such-tty/);
    }
  }, 60_000);

  it('a valid value is taken (the stream then fails only because the port does not exist: exit 4)', () => {
    ensureBuilt();
    const r = nla(args('5s'));
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/could not reach the board/);
  }, 30_000);
});

/** A session the guard watches, driven by hand. */
function fakeSession(): StallSession & { abandoned: Error | null; lastMessageAt: number; waitStartedAt: number } {
  const s = {
    lastMessageAt: 0,
    waitStartedAt: Number.NaN,
    abandoned: null as Error | null,
    get endedBy() {
      return s.abandoned;
    },
    info: { boardId: 'b' },
    abandon(why: Error) {
      s.abandoned = why;
    },
  };
  return s;
}

describe('StallGuard: what counts as the board being silent', () => {
  it('nothing waits: never fires, however long the board is silent', () => {
    const s = fakeSession();
    const g = new StallGuard(s, 100, () => 0);
    expect(g.check(1e6)).toBe(false);
    expect(s.abandoned).toBeNull();
  });

  it('a request made after a long idle time counts from when it was made, not from the last message', () => {
    const s = fakeSession();
    const g = new StallGuard(s, 100, () => 0);
    s.lastMessageAt = 0;
    s.waitStartedAt = 5000; // asked at 5 s, the board's last message at 0
    expect(g.silentMs(5050)).toBe(50);
    expect(g.check(5099)).toBe(false);
    expect(g.check(5100)).toBe(true);
    expect(s.abandoned!.message).toMatch(/^board 'b' sent nothing for 0\.1 s while a request has no answer/);
  });

  it('a frame sent after a pause counts from when it went out; outputs that catch up end the wait', () => {
    const s = fakeSession();
    let firstMissing = 0;
    const g = new StallGuard(s, 100, () => firstMissing);
    g.handedOut(1, 10); // frame 0 out at 10 ms
    firstMissing = 1;
    s.lastMessageAt = 20; // its output at 20 ms
    g.refresh(20);
    expect(g.waitingSince(25)).toBeNull();
    expect(g.check(5000)).toBe(false); // a long pause: nothing waits
    g.handedOut(2, 5000); // frame 1 out at 5 s
    expect(g.silentMs(5050)).toBe(50);
    expect(g.check(5099)).toBe(false);
    expect(g.check(5100)).toBe(true);
    expect(s.abandoned!.message).toMatch(/while frame 1 has no output/);
  });

  it('frames that keep going out to a board that answers none: silence counts from the first of them, not the last', () => {
    const s = fakeSession();
    const g = new StallGuard(s, 100, () => 0);
    for (let k = 0; k < 20; k++) g.handedOut(k + 1, 1000 + 10 * k); // one every 10 ms from 1 s on, no output
    expect(g.waitingSince(1190)).toBe(1000);
    expect(g.check(1099)).toBe(false);
    expect(g.check(1100)).toBe(true);
    expect(s.abandoned!.message).toMatch(/while frame 0 has no output/);
  });

  it('frames and a request both waiting: the earlier wait counts; a message from the board restarts the count', () => {
    const s = fakeSession();
    const g = new StallGuard(s, 100, () => 0);
    g.handedOut(1, 1000);
    s.waitStartedAt = 1050;
    expect(g.waitingSince(1060)).toBe(1000);
    s.lastMessageAt = 1080;
    expect(g.silentMs(1150)).toBe(70);
    expect(g.check(1179)).toBe(false);
    expect(g.check(1180)).toBe(true);
  });

  it('frames before where a session starts that still lack an output (asked for again) wait from the start', () => {
    const s = fakeSession();
    const g = new StallGuard(s, 100, () => 3);
    g.handedOut(7, 2000); // the pump starts at 7; frame 3 has no output
    expect(g.check(2099)).toBe(false);
    expect(g.check(2100)).toBe(true);
    expect(s.abandoned!.message).toMatch(/while frame 3 has no output/);
  });

  it('an ended session is left alone', () => {
    const s = fakeSession();
    const g = new StallGuard(s, 100, () => 0);
    s.waitStartedAt = 0;
    s.abandoned = new Error('gone');
    expect(g.check(1e6)).toBe(false);
    expect(s.abandoned.message).toBe('gone');
  });

  it('refuses a stallMs that is not a finite time > 0', () => {
    for (const v of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new StallGuard(fakeSession(), v, () => 0)).toThrow(RangeError);
  });
});
