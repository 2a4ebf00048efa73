import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../../core/crc32.js';
import { serveRtlBoard, type ServedRtlBoard } from '../../host/board/rtl-board.js';
import { verilateTop } from '../../host/board/verilate.js';
import { cobsEncode } from '../../host/protocol/cobs.js';
import { encodeFrame, FrameDecoder, type Frame, type Rejection } from '../../host/protocol/frame.js';
import { SerialTransport } from '../../host/transport/serial.js';
import { hasSocat } from '../pty-available.js';
import { GATEWARE, hasVerilator } from './tools.js';

/**
 * End to end through a real pty: gateware/frame_echo_top (frame_rx -> frame_tx) simulated by Verilator
 * with the UART at the bit level (host/board/rtl-board.ts). Frames encoded by host/protocol/frame.ts
 * come back byte for byte; damaged blocks are rejected for the reason host/protocol/frame.ts's decoder
 * gives on the same bytes (the top's report frame, type 0x7F, counts them) and are never echoed.
 */
const REPORT = 0x7f;
const REASONS: Rejection[] = ['oversized', 'cobs', 'short', 'length', 'crc'];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}
const frame = (seq: number, payload: Uint8Array): Frame => ({ version: 1, type: 8, flags: 3, seq, ack: seq >> 1, credits: 7, payload });
const cat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/** A raw frame with a valid CRC whose length field says `lenField` (a length mismatch, not a CRC error). */
function lengthLie(payload: Uint8Array, lenField: number): Uint8Array {
  const raw = new Uint8Array(11 + payload.length + 4);
  raw.set([1, 8, 3, 0, 0, 0, 0, 0, 0, lenField & 0xff, lenField >> 8]);
  raw.set(payload, 11);
  new DataView(raw.buffer).setUint32(11 + payload.length, crc32(raw, 0, 11 + payload.length), true);
  return cat([cobsEncode(raw), new Uint8Array([0])]);
}

class Host {
  readonly got: Uint8Array[] = [];
  readonly frames: Frame[] = [];
  private readonly dec = new FrameDecoder((f) => this.frames.push(f));
  constructor(readonly t: SerialTransport) {
    t.onData((c) => {
      this.got.push(Uint8Array.from(c));
      this.dec.push(c);
    });
  }
  bytes(): Uint8Array {
    return cat(this.got);
  }
  async until(what: string, ok: () => boolean, ms = 90_000): Promise<void> {
    const t0 = Date.now();
    while (!ok()) {
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

for (const c of [
  { baud: 115_200, lineBaud: 115_200, big: 1200 },
  { baud: 921_600, lineBaud: 921_600, big: 4096 },
  { baud: 921_600, lineBaud: Math.round(921_600 * 1.02), big: 2000 },
]) {
  describe.skipIf(!hasSocat || !hasVerilator)(`frame_echo_top behind a pty: design ${c.baud} baud, host ${c.lineBaud} baud`, () => {
    let board: ServedRtlBoard;
    let host: Host;
    const events: string[] = [];
    beforeAll(async () => {
      board = await serveRtlBoard({ top: 'frame_echo_top', baud: c.baud, lineBaud: c.lineBaud, params: { MAX_PAYLOAD: 4096 }, onEvent: (e) => events.push(e) });
      host = new Host(await SerialTransport.openWithRetry(board.hostPath, c.baud, 3000));
    }, 300_000);
    afterAll(async () => {
      await host?.t.close();
      const s = await board?.close();
      if (s) process.stderr.write(`rtl board ${c.baud}/${c.lineBaud}: ${s.cycles} cycles in ${s.wallS} s (${(s.cyclesPerS / 1e6).toFixed(2)} M cycles/s), simulating ${s.busyS} s: ${(s.busyCyclesPerS / 1e6).toFixed(2)} M cycles/s\n`);
    });

    const payloadSet = () => {
      const r = rng(c.baud);
      const p = [0, 1, 240, 243, 244, 500, c.big].map((n) => Uint8Array.from({ length: n }, () => (r() < 0.05 ? 0 : 1 + Math.floor(r() * 255))));
      // a raw frame ending with a 254-byte non-zero run: header 11 + payload 239 + CRC 4 without zeros
      p.push(Uint8Array.from({ length: 239 }, () => 1 + Math.floor(r() * 255)));
      return p;
    };
    const overruns = () => host.frames.filter((f) => f.type === REPORT).at(-1)?.payload[6] ?? 0;

    if (c.lineBaud === c.baud) {
      it('frames sent back to back in pairs (one echoed while the next arrives) come back byte for byte, both COBS trailing cases', async () => {
        const payloads = payloadSet();
        const sent = payloads.map((p, i) => encodeFrame(frame(i, p)));
        host.t.write(new Uint8Array([0]));
        let want = 0;
        for (let i = 0; i < sent.length; i += 2) {
          const pair = sent.slice(i, i + 2);
          host.t.write(cat(pair));
          want += cat(pair).length;
          await host.until('the echoes of a pair', () => host.bytes().length >= want);
        }
        expect(host.bytes()).toEqual(cat(sent));
        expect(host.frames.map((f) => f.payload)).toEqual(payloads);
      }, 120_000);
    } else {
      it('with the host 2 % off the design rate, frames sent one at a time come back byte for byte', async () => {
        const payloads = payloadSet();
        const sent = payloads.map((p, i) => encodeFrame(frame(i, p)));
        let want = 0;
        for (const f of sent) {
          host.t.write(f);
          want += f.length;
          await host.until('an echo', () => host.bytes().length >= want);
        }
        expect(host.bytes()).toEqual(cat(sent));
      }, 120_000);
    }

    if (c.lineBaud === c.baud && c.baud === 921_600) {
      it('survives a line drop: the model reopens the restored pty and echoes again', async () => {
        await host.t.close();
        await board.cutLine();
        await board.lineUp();
        host = new Host(await SerialTransport.openWithRetry(board.hostPath, c.baud, 5000));
        const f = encodeFrame(frame(500, new Uint8Array([1, 2, 3, 0, 5])));
        // the line may come up at the model a little after the host: resend until an echo arrives
        for (let i = 0; i < 50 && host.frames.length === 0; i++) {
          host.t.write(cat([new Uint8Array([0]), f]));
          await new Promise((r) => setTimeout(r, 100));
        }
        await host.until('an echo after the line drop', () => host.frames.length > 0, 10_000);
        expect(events.some((e) => e.startsWith('board_sim: line dropped'))).toBe(true);
        expect(events.some((e) => e.startsWith('board_sim: line up again'))).toBe(true);
        expect(host.frames[0]!.seq).toBe(500);
        expect(host.frames[0]!.payload).toEqual(new Uint8Array([1, 2, 3, 0, 5]));
      }, 60_000);
    }

    it('a burst of 12 frames outruns the echo (each echo starts about 510 clocks after its frame ended) and fills both buffers: every frame is echoed intact or counted as an overrun', async () => {
      const before = host.frames.length;
      const overrunsBefore = overruns();
      const r = rng(5);
      // no zero in the header or payload: each echo first collects a full 254-byte COBS group (about 510 clocks)
      const sent = Array.from({ length: 12 }, (_, i): Frame => ({ version: 1, type: 8, flags: 3, seq: 0x0101 + i, ack: 0x0203, credits: 0x0107,
        payload: Uint8Array.from({ length: 1500 }, () => 1 + Math.floor(r() * 255)) }));
      host.t.write(cat(sent.map(encodeFrame)));
      const echoed = () => host.frames.slice(before).filter((f) => f.type !== REPORT);
      await host.until('echoes and overruns for all 12 frames', () => echoed().length + overruns() - overrunsBefore === sent.length);
      const got = echoed();
      expect(overruns() - overrunsBefore).toBeGreaterThan(0);
      // the echoes are the sent frames, in order, minus the dropped ones
      let k = 0;
      for (const f of got) {
        while (k < sent.length && sent[k]!.seq !== f.seq) k++;
        expect(f, `echo of seq ${f.seq}`).toEqual(sent[k]);
      }
    }, 120_000);

    it('bad CRC, truncated, short, length, garbage and oversized blocks are rejected for the reference reason and never echoed', async () => {
      const r = rng(99);
      const good = encodeFrame(frame(1, Uint8Array.from({ length: 40 }, (_, i) => i + 1)));
      const badCrc = Uint8Array.from(good);
      badCrc[20] = badCrc[20]! === 0x55 ? 0x56 : 0x55;
      const truncated = cat([good.subarray(0, 30), new Uint8Array([0])]);
      const short = cat([cobsEncode(new Uint8Array([1, 8, 3, 0, 0])), new Uint8Array([0])]);
      const garbage = Uint8Array.from({ length: 600 }, () => Math.floor(r() * 256));
      const oversized = cat([new Uint8Array(5000).fill(0x41), new Uint8Array([0])]);
      const bad = cat([badCrc, truncated, short, lengthLie(new Uint8Array(30).fill(7), 31), lengthLie(new Uint8Array(8).fill(7), 5000), garbage, new Uint8Array([0]), oversized]);
      const marker = encodeFrame(frame(77, new Uint8Array([9, 9, 9])));
      // the reference: host/protocol/frame.ts's decoder on the same bytes
      const ref = new FrameDecoder(() => {});
      ref.push(cat([new Uint8Array([0]), bad]));
      expect(ref.stats.frames).toBe(0);
      for (const why of REASONS) expect(ref.stats.rejected[why], why).toBeGreaterThan(0);
      const before = host.frames.length;
      const overrunsBefore = overruns();
      host.t.write(cat([new Uint8Array([0]), bad, marker]));
      const want = REASONS.map((why) => ref.stats.rejected[why]);
      const last = () => host.frames.filter((f) => f.type === REPORT).at(-1);
      await host.until('the marker echo and a report with every reject', () =>
        host.frames.some((f) => f.seq === 77 && f.type === 8) && JSON.stringify([...(last()?.payload.subarray(1, 6) ?? [])]) === JSON.stringify(want));
      const echoed = host.frames.slice(before).filter((f) => f.type !== REPORT);
      expect(echoed.map((f) => f.seq)).toEqual([77]);
      const rep = last()!.payload;
      expect(rep[6], 'overruns').toBe(overrunsBefore);
      expect(rep[7], 'framing errors').toBe(0);
    }, 120_000);
  });
}

/** board_top's MAX_PAYLOAD (1003: a frame of 11 + 1003 bytes, COBS-encoded with its CRC-32 and delimiter, fills 1024 bytes). */
const BOARD_MAX_PAYLOAD = Number(/parameter MAX_PAYLOAD = (\d+)/.exec(readFileSync(join(GATEWARE, 'board_top.v'), 'utf8'))![1]);
/** MAX_ENCODED of frame.ts's formula for a payload of p bytes: the raw frame, its COBS overhead, the delimiter's slack. */
const maxEncoded = (p: number) => 11 + p + 4 + Math.ceil((11 + p + 4) / 254) + 2;

describe.skipIf(!hasSocat || !hasVerilator)(`frame_echo_top at the board size MAX_PAYLOAD = ${BOARD_MAX_PAYLOAD}, 921600 baud`, () => {
  let board: ServedRtlBoard;
  let host: Host;
  beforeAll(async () => {
    board = await serveRtlBoard({ top: 'frame_echo_top', baud: 921_600, params: { MAX_PAYLOAD: BOARD_MAX_PAYLOAD } });
    host = new Host(await SerialTransport.openWithRetry(board.hostPath, 921_600, 3000));
  }, 300_000);
  afterAll(async () => {
    await host?.t.close();
    await board?.close();
  });

  it(`a ${BOARD_MAX_PAYLOAD}-byte payload is echoed; longer blocks are oversized, a length field over ${BOARD_MAX_PAYLOAD} is a length error`, async () => {
    const r = rng(1024);
    const full = encodeFrame(frame(1, Uint8Array.from({ length: BOARD_MAX_PAYLOAD }, () => 1 + Math.floor(r() * 255))));
    const tooLong = encodeFrame(frame(2, Uint8Array.from({ length: BOARD_MAX_PAYLOAD + 7 }, () => 1 + Math.floor(r() * 255))));
    expect(full.length - 1).toBeLessThanOrEqual(maxEncoded(BOARD_MAX_PAYLOAD));
    expect(tooLong.length - 1).toBeGreaterThan(maxEncoded(BOARD_MAX_PAYLOAD));
    const lie = lengthLie(new Uint8Array(20).fill(3), BOARD_MAX_PAYLOAD + 1);
    host.t.write(cat([new Uint8Array([0]), full, tooLong, lie]));
    await host.until('the echo and a report of both rejects', () => {
      const rep = host.frames.filter((f) => f.type === REPORT).at(-1)?.payload;
      return host.frames.some((f) => f.type === 8) && rep !== undefined && rep[1] === 1 && rep[4] === 1;
    });
    const echoed = host.frames.filter((f) => f.type !== REPORT);
    expect(echoed.map((f) => f.seq)).toEqual([1]);
    expect(host.bytes().subarray(0, full.length)).toEqual(full);
    const rep = host.frames.filter((f) => f.type === REPORT).at(-1)!.payload;
    expect([...rep.subarray(1, 8)]).toEqual([1, 0, 0, 1, 0, 0, 0]);
  }, 120_000);
});

describe.skipIf(!hasVerilator)('board_sim on stdin/stdout', () => {
  it('echoes frames through a pipe and reports its speed on exit', () => {
    const model = verilateTop({ top: 'frame_echo_top', params: { MAX_PAYLOAD: 4096, CLK_HZ: 12_000_000, BAUD: 921_600 } });
    const sent = [0, 17, 300].map((n, i) => encodeFrame(frame(i, Uint8Array.from({ length: n }, (_, k) => (k * 13 + i) & 0xff))));
    const r = spawnSync(model.binary, ['--clk-hz', '12000000', '--baud', '921600', '--stdio'], { input: cat([new Uint8Array([0]), ...sent]), maxBuffer: 1 << 24 });
    expect(r.status).toBe(0);
    expect(new Uint8Array(r.stdout)).toEqual(cat(sent));
    const stats = JSON.parse(/board_sim stats (\{.*\})/.exec(r.stderr.toString())![1]!) as { cycles: number; bytesIn: number; bytesOut: number };
    expect(stats.bytesIn).toBe(1 + cat(sent).length);
    expect(stats.bytesOut).toBe(cat(sent).length);
    // the clock ran only while the line was busy: about 10 bits per byte each way plus the grace period, not idle time
    expect(stats.cycles).toBeLessThan((stats.bytesIn + stats.bytesOut) * 10 * (12_000_000 / 921_600) + 20_000);
  });
});

describe.skipIf(!hasVerilator)('board_sim honours a top\'s sim_busy output', () => {
  it('runs the clock through 300000 busy cycles with an idle line, then delivers the byte the top sends', () => {
    const model = verilateTop({ top: 'busy_probe_top', params: { CLK_HZ: 12_000_000, BAUD: 921_600, BUSY_CYCLES: 300_000 } });
    const r = spawnSync(model.binary, ['--clk-hz', '12000000', '--baud', '921600', '--stdio'], { input: new Uint8Array(0) });
    expect(r.status).toBe(0);
    expect([...new Uint8Array(r.stdout)]).toEqual([0x5a]);
    expect(r.stderr.toString()).toContain('sim_busy');
    const stats = JSON.parse(/board_sim stats (\{.*\})/.exec(r.stderr.toString())![1]!) as { cycles: number };
    expect(stats.cycles).toBeGreaterThan(300_000);
  });
});
