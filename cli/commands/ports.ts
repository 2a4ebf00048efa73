import type { Command } from 'commander';
import { listPorts } from '../../host/ports.js';

export function registerPorts(program: Command): void {
  program
    .command('ports')
    .description('list serial ports (USB-serial adapters, dev boards, on-board UARTs, virtual boards); works without udev')
    .option('--json', 'print the list as JSON')
    .action(async (o: { json?: boolean }) => {
      const { ports, note } = await listPorts();
      if (o.json) {
        process.stdout.write(JSON.stringify({ ports, ...(note ? { note } : {}) }, null, 2) + '\n');
        return;
      }
      if (note) process.stderr.write(`note: ${note}\n`);
      if (!ports.length) {
        process.stdout.write('no serial ports found (start one with: nla board virtual)\n');
        return;
      }
      const w = Math.max(...ports.map((p) => p.path.length));
      for (const p of ports) {
        const id = [p.manufacturer, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined, p.serialNumber ? `s/n ${p.serialNumber}` : undefined].filter(Boolean).join(', ');
        process.stdout.write(`${p.path.padEnd(w)}  ${p.kind.padEnd(7)}  ${id}\n`);
      }
    });
}
