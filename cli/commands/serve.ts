import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { UsageError } from '../../core/errors.js';
import { positiveInt } from '../../core/option-values.js';
import { requirePort } from '../../host/transport/port-exists.js';
import { attachSerialBridge } from '../serial-bridge.js';
import { contentType, webSite, type WebSite } from '../web-site.js';

/** `nla serve`'s options. */
interface ServeOpts {
  port: string;
  bridge?: string;
  baud: string;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the workbench page on the loopback interface (127.0.0.1) from the installed package; no network access needed')
    .option('--port <n>', 'TCP port (0: any free port)', '8173')
    .option('--bridge <device>', "also offer this serial device (a board's pty or USB-serial port) to the page over a WebSocket at /bridge: the page's board panel streams through it")
    .option('--baud <rate>', 'line speed of --bridge', '921600')
    .action((o: ServeOpts) => serve(o));
}

/** The port option: a whole number 0–65535. */
export function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n > 65535) throw new UsageError(`--port: expected a whole number from 0 to 65535, got '${text}'`);
  return n;
}

/** An HTTP server answering GET/HEAD for the site's files (index.html at /), 404 for anything else. */
export function webServer(site: WebSite): Server {
  return createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname).replace(/^\/+/, '') || 'index.html';
    const file = site.get(path);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !file) {
      res.writeHead(file ? 405 : 404, { 'content-type': 'text/plain' }).end(file ? 'method not allowed\n' : `not found: /${path}\n`);
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': contentType(path), 'content-length': body.length, 'cache-control': 'no-cache' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}

function serve(o: ServeOpts): Promise<void> {
  const port = parsePort(o.port);
  const baud = positiveInt(o.baud, '--baud');
  if (o.bridge === undefined && o.baud !== '921600') throw new UsageError('--baud: sets the line speed of --bridge, and no --bridge was given');
  if (o.bridge !== undefined) requirePort(o.bridge, '--bridge');
  const server = webServer(webSite());
  if (o.bridge !== undefined) attachSerialBridge(server, { device: o.bridge, baud });
  return new Promise((_, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new UsageError(`--port ${port}: the port is taken on 127.0.0.1 (another program listens there); choose another with --port, or --port 0 for any free one`) : e));
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      const actual = typeof addr === 'object' && addr ? addr.port : port;
      process.stdout.write(`nla workbench at http://127.0.0.1:${actual}/ (Ctrl-C stops it)\n`);
      if (o.bridge !== undefined) process.stdout.write(`serial bridge to ${o.bridge} at ${baud} baud: ws://127.0.0.1:${actual}/bridge (the board panel's bridge field)\n`);
    });
  });
}
