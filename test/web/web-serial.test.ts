import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../cli/run-nla.js';
import { hasChromium } from '../chromium.js';
import { ensureWebBuilt, openServedWorkbench } from './site.js';

// The Web Serial transport (web/web-serial-transport.ts) in Chromium, on a mocked `navigator.serial` whose
// port is wired in memory to a second port (web/mock-serial.ts): the cases of the ByteTransport conformance
// suite (test/host/transport-conformance.test.ts) run in the page, loaded through SystemJS: 200 kB both ways
// complete and in order with stamps in order and never late, drain, the line going away (the peer closing,
// the device unplugged) reported once with a reason, and writes refused afterwards.

/** In the page: the modules, and a line of two transports over a mocked navigator.serial. */
const SETUP = `
  const { WebSerialTransport } = await System.import('nla/web/web-serial-transport.js');
  const { mockSerialPair } = await System.import('nla/web/mock-serial.js');
  const { Rng } = await System.import('nla/core/rng.js');
  const [portA, portB] = mockSerialPair();
  Object.defineProperty(navigator, 'serial', { configurable: true, value: { requestPort: async () => portA } });
  const a = await WebSerialTransport.open(await navigator.serial.requestPort(), 921600);
  const b = await WebSerialTransport.open(portB, 921600);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
`;

const BOTH_WAYS = `(async () => {
  ${SETUP}
  const rng = new Rng(9);
  const data = (n) => Uint8Array.from({ length: n }, () => rng.int(256));
  const ab = data(200000), ba = data(50000);
  const chunk = 2000, windowBytes = 8000, piece = ba.length / (ab.length / chunk);
  const gotA = [], gotB = [];
  a.onData((c) => gotA.push(...c));
  b.onData((c) => gotB.push(...c));
  const stamps = { ordered: true, notLate: true, count: 0 };
  let last = -Infinity;
  for (const t of [a, b]) t.onData((_c, at) => {
    if (t === b) { stamps.ordered &&= at >= last; last = at; }
    stamps.notLate &&= at <= performance.now() + 0.05;
    stamps.count++;
  });
  let receivedB = 0, answered = 0;
  b.onData((c) => {
    receivedB += c.length;
    const due = Math.min(ba.length, Math.floor(receivedB / chunk) * piece);
    if (due > answered) { b.write(ba.subarray(answered, due)); answered = due; }
  });
  const deadline = Date.now() + 10000;
  for (let o = 0; o < ab.length; o += chunk) {
    while (o - receivedB > windowBytes - chunk && Date.now() < deadline) await sleep(1);
    if (!a.write(ab.subarray(o, o + chunk))) await a.drain();
  }
  await a.drain();
  while ((gotB.length < ab.length || gotA.length < ba.length) && Date.now() < deadline) await sleep(10);
  const same = (x, y) => x.length === y.length && x.every((v, i) => v === y[i]);
  await a.close(); await b.close();
  return { abOk: same(gotB, ab), baOk: same(gotA, ba), gotB: gotB.length, gotA: gotA.length, stamps };
})()`;

/** The line goes away by `how` (the peer closes, or A's device is unplugged); what A reports. */
const GOES_AWAY = (how: 'peer closes' | 'unplugged') => `(async () => {
  ${SETUP}
  const reasons = [];
  a.onClose((r) => reasons.push(r));
  ${how === 'peer closes' ? 'await b.close();' : 'portA.unplug();'}
  const t0 = Date.now();
  while (reasons.length === 0 && Date.now() - t0 < 5000) await sleep(10);
  await sleep(50);
  const result = { reasons, open: a.open, writeAfter: a.write(Uint8Array.of(1, 2, 3)) };
  await a.close(); await b.close();
  return result;
})()`;

describe.skipIf(!hasChromium)('the Web Serial transport in Chromium (mocked navigator.serial)', () => {
  let close: (() => Promise<void>) | undefined;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ensureBuilt();
    ensureWebBuilt();
    ({ page, errors, close } = await openServedWorkbench());
  });

  afterAll(async () => {
    await close?.();
  });

  it('delivers 200 kB in both directions, complete and in order, stamped in order and never late', async () => {
    const r = (await page.evaluate(BOTH_WAYS)) as { abOk: boolean; baOk: boolean; gotA: number; gotB: number; stamps: { ordered: boolean; notLate: boolean; count: number } };
    expect(r.gotB).toBe(200_000);
    expect(r.gotA).toBe(50_000);
    expect(r.abOk && r.baOk).toBe(true);
    expect(r.stamps.count).toBeGreaterThan(1);
    expect(r.stamps).toMatchObject({ ordered: true, notLate: true });
    expect(errors).toEqual([]);
  });

  for (const how of ['peer closes', 'unplugged'] as const) {
    it(`reports the line going away once (${how}), with a reason, and refuses writes afterwards`, async () => {
      const r = (await page.evaluate(GOES_AWAY(how))) as { reasons: string[]; open: boolean; writeAfter: boolean };
      expect(r.reasons.length).toBe(1);
      expect(r.reasons[0]).toMatch(how === 'unplugged' ? /device was lost/ : /port closed/);
      expect(r.open).toBe(false);
      expect(r.writeAfter).toBe(false);
    });
  }
});
