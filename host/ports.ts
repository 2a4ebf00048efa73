import { accessSync, constants, existsSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface PortInfo {
  path: string;
  /** usb (USB-serial adapter), acm (USB CDC, most dev boards), uart (on-board), virtual (nla board virtual), other. */
  kind: 'usb' | 'acm' | 'uart' | 'virtual' | 'other';
  manufacturer?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  /** Where the entry came from: node-serialport (udev) or the fallback scan of /dev and /sys. */
  source: 'serialport' | 'scan';
}

/** Whether an executable is on PATH (without running it). */
export function onPath(exe: string, path = process.env.PATH ?? ''): boolean {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, exe), constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

/**
 * Lists serial ports. On Linux node-serialport asks udev by spawning `udevadm`; where that is missing
 * (containers, minimal systems) its list would crash the process with an uncaught spawn error, so it is
 * only used when udevadm is on PATH, and any failure falls back to scanning /dev and /sys. Virtual
 * boards started by `nla board virtual` (their pty links) are listed too. Never throws.
 */
export async function listPorts(): Promise<{ ports: PortInfo[]; note?: string }> {
  let note: string | undefined;
  let ports: PortInfo[] = [];
  if (process.platform !== 'linux' || onPath('udevadm')) {
    try {
      const { SerialPort } = await import('serialport');
      const listed = await SerialPort.list();
      ports = listed.map((p) => ({
        path: p.path,
        kind: kindOf(p.path),
        source: 'serialport' as const,
        ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
        ...(p.vendorId ? { vendorId: p.vendorId } : {}),
        ...(p.productId ? { productId: p.productId } : {}),
        ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
      }));
    } catch (e) {
      note = `node-serialport could not list ports (${(e as Error).message}); scanned /dev instead`;
      ports = scanDev();
    }
  } else {
    note = 'udevadm is not installed: scanned /dev and /sys instead of asking udev';
    ports = scanDev();
  }
  const seen = new Set(ports.map((p) => p.path));
  for (const v of virtualBoards()) if (!seen.has(v.path)) ports.push(v);
  return { ports, ...(note ? { note } : {}) };
}

function kindOf(path: string): PortInfo['kind'] {
  if (/ttyUSB/.test(path)) return 'usb';
  if (/ttyACM/.test(path)) return 'acm';
  if (/tty(S|AMA|MFD|O)\d/.test(path)) return 'uart';
  return 'other';
}

const read = (p: string): string | undefined => {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** Serial devices from /dev, with USB identity from /sys where available. */
export function scanDev(dev = '/dev', sys = '/sys/class/tty'): PortInfo[] {
  const out: PortInfo[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dev);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    if (!/^tty(S|USB|ACM|AMA|MFD|O|XRUSB|WCH)\d+$/.test(name) && !/^rfcomm\d+$/.test(name)) continue;
    // on-board UARTs without hardware behind them have no device link in /sys; skip those
    if (/^ttyS\d+$/.test(name) && !existsSync(join(sys, name, 'device', 'driver'))) continue;
    const info: PortInfo = { path: join(dev, name), kind: kindOf(name), source: 'scan' };
    // USB identity: /sys/class/tty/<name>/device is the interface; its parent is the USB device
    try {
      const usb = realpathSync(join(sys, name, 'device', '..'));
      const vid = read(join(usb, 'idVendor'));
      if (vid) {
        info.vendorId = vid;
        const pid = read(join(usb, 'idProduct'));
        const man = read(join(usb, 'manufacturer'));
        const sn = read(join(usb, 'serial'));
        if (pid) info.productId = pid;
        if (man) info.manufacturer = man;
        if (sn) info.serialNumber = sn;
      }
    } catch {
      // not a USB device
    }
    out.push(info);
  }
  return out;
}

/** Host ends of virtual boards (`nla board virtual` makes them under the temp dir). */
export function virtualBoards(dir = tmpdir()): PortInfo[] {
  const out: PortInfo[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('nla-pty-'));
  } catch {
    return out;
  }
  for (const n of names) {
    const link = join(dir, n, 'host');
    try {
      const target = readlinkSync(link);
      if (existsSync(target)) out.push({ path: link, kind: 'virtual', manufacturer: `nla virtual board (${target})`, source: 'scan' });
    } catch {
      // stale folder
    }
  }
  return out;
}
