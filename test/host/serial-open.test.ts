import { afterEach, describe, expect, it, vi } from 'vitest';
import { MockBinding } from '@serialport/binding-mock';
import { SerialTransport } from '../../host/transport/serial.js';

/**
 * SerialTransport.open on a stub binding (@serialport/binding-mock behind the event-loop binding's
 * place): the flush of stale input after opening can be made to fail, which a real device rarely does.
 */

const calls = vi.hoisted(() => ({ flushes: 0, closes: 0, failFlush: false }));

vi.mock('../../host/transport/event-loop-binding.js', async () => {
  const { MockBinding: mock } = await import('@serialport/binding-mock');
  return {
    eventLoopBinding: () => ({
      list: () => mock.list(),
      async open(options: Parameters<typeof mock.open>[0]) {
        const port = await mock.open(options);
        const flush = port.flush.bind(port);
        const close = port.close.bind(port);
        port.flush = async () => {
          calls.flushes++;
          if (calls.failFlush) throw new Error('EIO (stub)');
          return flush();
        };
        port.close = async () => {
          calls.closes++;
          // binding-mock 10.2.2 releases the port, then reads the options it has just cleared (a TypeError)
          await close().catch(() => undefined);
        };
        return port;
      },
    }),
  };
});

describe('SerialTransport.open: the flush of stale input', () => {
  afterEach(() => {
    MockBinding.reset();
    calls.flushes = calls.closes = 0;
    calls.failFlush = false;
  });

  it('flushes after opening, and the transport works', async () => {
    MockBinding.createPort('/dev/ttyMOCK0');
    const t = await SerialTransport.open('/dev/ttyMOCK0', 921600);
    expect(calls.flushes).toBe(1);
    expect(t.open).toBe(true);
    await t.close();
    expect(calls.closes).toBe(1);
  });

  it('a flush that fails: the open fails naming the path and the error, and the port is closed first (not left open and locked)', async () => {
    MockBinding.createPort('/dev/ttyMOCK1');
    calls.failFlush = true;
    await expect(SerialTransport.open('/dev/ttyMOCK1', 921600)).rejects.toThrow('cannot flush /dev/ttyMOCK1: EIO (stub)');
    expect(calls.flushes).toBe(1);
    expect(calls.closes).toBe(1);
    // nothing holds the port: it opens again (a leaked open port would refuse: "Port is locked")
    calls.failFlush = false;
    const t = await SerialTransport.open('/dev/ttyMOCK1', 921600);
    expect(t.open).toBe(true);
    await t.close();
  });
});
