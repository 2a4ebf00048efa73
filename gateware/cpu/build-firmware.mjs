#!/usr/bin/env node
// build-firmware.mjs: builds rv32_soc firmware (C and assembly, freestanding, no libc) with Debian's
// riscv64-unknown-elf-gcc for -march=rv32i -mabi=ilp32 -Os, linked by link.ld after crt0.S, into a
// memory image for $readmemh: one 32-bit word a line (little-endian bytes), padded with zeros to the
// whole RAM. Built images are cached under build/softcpu/<hash of the sources and flags>/.
//   node gateware/cpu/build-firmware.mjs [--ram-bytes 8192] [--out DIR] SOURCE...   prints the hex path
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '../..');
const CANDIDATES = ['riscv64-unknown-elf', 'riscv32-unknown-elf', 'riscv-none-elf'];
export const CFLAGS = ['-march=rv32i', '-mabi=ilp32', '-Os', '-ffreestanding', '-fno-builtin', '-fno-tree-loop-distribute-patterns',
  '-nostdlib', '-nostartfiles', '-Wall', '-Wextra', '-Werror'];

/** The prefix of an installed RISC-V cross gcc (e.g. 'riscv64-unknown-elf'), or null. */
export function riscvPrefix() {
  for (const p of CANDIDATES) {
    const r = spawnSync(`${p}-gcc`, ['--version'], { stdio: 'ignore' });
    if (r.error === undefined && r.status === 0) return p;
  }
  return null;
}

/**
 * Compiles and links the sources (after crt0.S) and writes the image. Returns { hex, elf, bytes (code
 * and data size), symbols (name -> address) }. Throws with the compiler's output on failure.
 */
export function buildFirmware({ sources, ramBytes = 8192, outRoot = join(REPO, 'build', 'softcpu'), defines = {} }) {
  const prefix = riscvPrefix();
  if (!prefix) throw new Error('no RISC-V gcc (Debian: apt-get install gcc-riscv64-unknown-elf)');
  const all = [join(HERE, 'crt0.S'), ...sources.map((s) => resolve(s))];
  const dflags = Object.entries(defines).map(([k, v]) => `-D${k}=${v}`);
  const flags = [...CFLAGS, ...dflags, `-Wl,--defsym=__ram_size=${ramBytes}`, '-T', join(HERE, 'link.ld')];
  const h = createHash('sha256').update(prefix).update(flags.join(' ')).update(readFileSync(join(HERE, 'link.ld')));
  // the headers beside the sources are part of what is compiled: a changed header is a new image
  for (const f of [...all, ...readdirSync(HERE).filter((x) => x.endsWith('.h')).map((x) => join(HERE, x))]) h.update(f).update(readFileSync(f));
  const dir = join(outRoot, h.digest('hex').slice(0, 16));
  const hex = join(dir, 'fw.hex'), elf = join(dir, 'fw.elf'), info = join(dir, 'fw.json');
  if (existsSync(info)) return { hex, elf, ...JSON.parse(readFileSync(info, 'utf8')) };
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const run = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? ''}${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  run(`${prefix}-gcc`, [...flags, '-o', join(tmp, 'fw.elf'), ...all]);
  run(`${prefix}-objcopy`, ['-O', 'binary', join(tmp, 'fw.elf'), join(tmp, 'fw.bin')]);
  const bin = readFileSync(join(tmp, 'fw.bin'));
  if (bin.length > ramBytes) throw new Error(`firmware is ${bin.length} bytes, the RAM ${ramBytes}`);
  const img = Buffer.alloc(ramBytes);
  bin.copy(img);
  const words = [];
  for (let i = 0; i < ramBytes; i += 4) words.push(img.readUInt32LE(i).toString(16).padStart(8, '0'));
  writeFileSync(join(tmp, 'fw.hex'), words.join('\n') + '\n');
  const symbols = {};
  for (const line of run(`${prefix}-nm`, [join(tmp, 'fw.elf')]).split('\n')) {
    const m = /^([0-9a-f]+) \w (\S+)$/.exec(line);
    if (m) symbols[m[2]] = parseInt(m[1], 16);
  }
  writeFileSync(join(tmp, 'fw.json'), JSON.stringify({ bytes: bin.length, symbols }));
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { hex, elf, bytes: bin.length, symbols };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let ramBytes = 8192;
  let outRoot;
  const sources = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--ram-bytes') ramBytes = Number(args[++i]);
    else if (args[i] === '--out') outRoot = args[++i];
    else sources.push(args[i]);
  }
  const r = buildFirmware({ sources, ramBytes, ...(outRoot ? { outRoot } : {}) });
  process.stdout.write(`${r.hex} (${r.bytes} bytes of code and data)\n`);
}
