import { createServer } from 'node:http';
import { attachSerialBridge, type SerialBridge, type SerialBridgeOptions } from '../../cli/serial-bridge.js';

// The tests' WebSocket bridge (cli/serial-bridge.ts) on its own loopback server: a page's
// WebSocketSerialPort connects to `url`, and its bytes cross to `device` (a real pty).

/** A bridge to `o.device` on 127.0.0.1 (any free port); `close` stops it. */
export async function startBridge(o: SerialBridgeOptions): Promise<{ url: string; bridge: SerialBridge; close: () => Promise<void> }> {
  const server = createServer((_req, res) => res.writeHead(404).end());
  // the pages under test come from `nla serve` on another loopback port
  const bridge = attachSerialBridge(server, { allowOrigin: (origin) => /^http:\/\/127\.0\.0\.1:\d+$/.test(origin), ...o });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/bridge`,
    bridge,
    close: async () => {
      await bridge.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
