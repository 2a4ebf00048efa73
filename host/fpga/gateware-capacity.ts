import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Capabilities } from '../../hardware-models/fixed-point/capabilities.js';
import { framePayloadBytes } from '../../hardware-models/fixed-point/capabilities.js';
import { SIGNAL_FRAC, WEIGHT_FRAC } from '../../hardware-models/fixed-point/format.js';
import { probeWidth, synapseCount, type BoardImage } from '../../hardware-models/fixed-point/image.js';
import { compileVcoreImage } from '../../compiler/board/compile-vcore-image.js';
import { VCORE_UP5K_BUILD, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { READ_ROLES } from '../../hardware-models/fixed-point/vcore-rtl-limits.js';
import { vcoreBoardParams } from './vcore-cycles.js';
import { repoRoot } from '../board/verilate.js';

/**
 * What the synthesized gateware holds, read from the parameters of its Verilog (one source of truth:
 * the same numbers the design announces in HELLO_ACK and sizes its memories by). `caps` are the
 * protocol's capabilities; `internal` the core's further limits, which the board refuses as CAPACITY
 * at the field of the image that exceeds them.
 */
export interface GatewareCapacity {
  caps: Capabilities;
  internal: {
    /** Population records the core holds (MAX_POPS of nla_core.v). */
    populations: number;
    /** Projection records (MAX_PROJ). */
    projections: number;
    /** Populations with a table activation (MAX_TABLES). */
    tables: number;
    /** Bytes of the image staging memory (IMG_BYTES; the vector core: one of the firmware's two image buffers). */
    imageBytes: number;
  };
  boardId: string;
  /**
   * The vector core's build where board_top's core is the vector core (VCORE = 1): what its images are compiled for
   * and checked against (CORE_INFO announces it); null for nla_core (then `internal`'s populations, projections and
   * tables are nla_core's limits; for the vector core they are not used).
   */
  vcore: VcoreBuild | null;
}

/**
 * Verilog text with its comments (`//` to the end of the line, and block comments) replaced by spaces (newlines
 * kept, so positions and line numbers stay); string literals are kept as they are (a `//` inside one is
 * not a comment).
 */
export function stripVerilogComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const d = text[i + 1];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && d === '/') {
      let j = text.indexOf('\n', i);
      if (j < 0) j = text.length;
      out += ' '.repeat(j - i);
      i = j;
    } else if (c === '/' && d === '*') {
      let j = text.indexOf('*/', i + 2);
      j = j < 0 ? text.length : j + 2;
      out += text.slice(i, j).replace(/[^\n]/g, ' ');
      i = j;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The name of the (first) module a Verilog file declares. */
function moduleName(code: string): string {
  return /\bmodule\s+([A-Za-z_][A-Za-z0-9_$]*)/.exec(code)?.[1] ?? '(no module)';
}

/**
 * The integer default of `parameter NAME = value` in a Verilog file (its first declaration of NAME),
 * comments ignored. The value must be a plain decimal integer (underscores allowed) followed by `,`,
 * `;` or `)`: a sized or based literal (16'd5), an expression or another parameter is refused, naming
 * the file, the module and the parameter, rather than read as some other number.
 */
export function verilogParameter(text: string, name: string, file: string): number {
  const code = stripVerilogComments(text);
  const mod = moduleName(code);
  const m = new RegExp(`\\bparameter\\s+(?:(?:integer|signed)\\s+)*(?:\\[[^\\]]*\\]\\s*)?${name}\\s*=\\s*([^,;)]*)([,;)]?)`).exec(code);
  if (!m) throw new Error(`${file}: module ${mod} declares no parameter ${name} (the gateware's capacity is read from it)`);
  const value = m[1]!.trim();
  if (!/^[0-9][0-9_]*$/.test(value) || !m[2]) {
    throw new Error(
      `${file}: module ${mod}: parameter ${name} = ${value || '(nothing)'}: expected a plain decimal integer followed by ',', ';' or ')' ` +
        `(the gateware's capacity is read from it; sized literals, expressions and other parameters are not evaluated)`,
    );
  }
  return Number(value.replace(/_/g, ''));
}

/** The text inside the parentheses that open at `open` (balanced; strings skipped), or null if they never close. */
function parenthesised(code: string, open: number): string | null {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '"') {
      i++;
      while (i < code.length && code[i] !== '"') i += code[i] === '\\' ? 2 : 1;
    } else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return code.slice(open + 1, i);
  }
  return null;
}

/**
 * Refuses a top that overrides, where it instantiates `module`, a parameter whose default the capacity
 * is read from (`.NAME(` in the instance's `#(` list, a positional `#(` list, or a defparam): the default
 * would then not be what is synthesized. Throws naming the file and the parameter.
 */
export function checkDefaultsNotOverridden(topText: string, topFile: string, module: string, names: string[]): void {
  const code = stripVerilogComments(topText);
  const inst = new RegExp(`\\b${module}\\s*#\\s*\\(`, 'g');
  for (const m of code.matchAll(inst)) {
    const list = parenthesised(code, m.index + m[0].length - 1);
    if (list === null) throw new Error(`${topFile}: the parameter list of ${module} is not closed`);
    if (list.trim() && !/^\s*\./.test(list)) throw new Error(`${topFile}: ${module} is instantiated with positional parameters: cannot tell whether it overrides ${names.join(', ')}, whose defaults the gateware's capacity is read from; name them (.NAME(value))`);
    for (const n of names) {
      if (new RegExp(`\\.\\s*${n}\\s*\\(`).test(list)) {
        throw new Error(`${topFile}: parameter ${n} of ${module} is overridden where it is instantiated (.${n}(…)): the gateware's capacity is read from ${module}.v's default of ${n}, which is then not what is synthesized; declare it in the top and read it from there`);
      }
    }
  }
  for (const n of names) {
    if (new RegExp(`\\bdefparam\\b[^;]*\\.\\s*${n}\\s*=`).test(code)) throw new Error(`${topFile}: a defparam sets ${n}: the gateware's capacity is read from ${module}.v's default of ${n}, which is then not what is synthesized`);
  }
}

/** The parameters whose defaults in the submodules' own files the capacity is read from (board_top passes none of them). */
export const SUBMODULE_DEFAULTS: Record<string, string[]> = {
  nla_core: ['MAX_POPS', 'MAX_PROJ', 'MAX_TABLES'],
};

/** The firmware's board parameters (cpu_link's image is built with them: gateware/firmware/rv32/cpulink_board.h). */
export const CPULINK_BOARD_H = join('firmware', 'rv32', 'cpulink_board.h');
/** The same for the board whose core is the vector core (board_top VCORE = 1; `make board-image-vcore`). */
export const CPULINK_VCORE_BOARD_H = join('firmware', 'rv32', 'cpulink_vcore_board.h');

/** Whether gateware/board_top.v's core is the vector core (its parameter VCORE: 1, or 0 for nla_core). */
export function boardTopVcore(gatewareDir = join(repoRoot(), 'gateware')): boolean {
  const f = join(gatewareDir, 'board_top.v');
  return verilogParameter(readFileSync(f, 'utf8'), 'VCORE', f) !== 0;
}

/** The firmware header of board_top's core (cpulink_vcore_board.h or cpulink_board.h). */
export function boardFirmwareHeader(gatewareDir = join(repoRoot(), 'gateware')): string {
  return boardTopVcore(gatewareDir) ? CPULINK_VCORE_BOARD_H : CPULINK_BOARD_H;
}

/** `{ a, b, … }` of a C header's #define as numbers (the build's per-bank lists). */
function cList(text: string, name: string, file: string): number[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '');
  const m = new RegExp(`^[ \\t]*#[ \\t]*define[ \\t]+${name}[ \\t]+\\{([^}]*)\\}`, 'm').exec(code);
  if (!m) throw new Error(`${file}: no #define ${name} { … } (the vector core's build is read from it)`);
  return m[1]!.split(',').map((x) => {
    if (!/^\s*[0-9]+\s*$/.test(x)) throw new Error(`${file}: #define ${name}: ${x.trim()} is not a decimal integer`);
    return Number(x);
  });
}

/** The vector core's build the firmware announces in CORE_INFO (its VCORE_* macros). */
export function firmwareVcoreBuild(text: string, file: string): VcoreBuild {
  const n = (name: string) => {
    const v = cDefine(text, name, file);
    if (typeof v !== 'number') throw new Error(`${file}: #define ${name} must be a decimal integer`);
    return v;
  };
  const words = cList(text, 'VCORE_BANK_WORDS', file);
  const bits = cList(text, 'VCORE_BANK_BITS', file);
  if (words.length !== n('VCORE_N_BANKS') || bits.length !== words.length) throw new Error(`${file}: VCORE_N_BANKS ${n('VCORE_N_BANKS')}, but ${words.length} bank word counts and ${bits.length} bank widths`);
  const roles = cList(text, 'VCORE_READ_BANKS', file);
  if (roles.length !== READ_ROLES.length) throw new Error(`${file}: VCORE_READ_BANKS has ${roles.length} masks, expected ${READ_ROLES.length} (A, X, Y, S, M)`);
  return {
    numberFormat: 'UP5K16',
    weightShift: n('VCORE_WEIGHT_SHIFT'),
    weightBits: n('VCORE_WEIGHT_BITS'),
    operandBits: n('VCORE_OPERAND_BITS'),
    factorBits: n('VCORE_FACTOR_BITS'),
    instructions: n('VCORE_INSTRUCTIONS'),
    banks: words.map((w, i) => ({ words: w, bits: bits[i]! })),
    kRegs: n('VCORE_K_REGS'),
    weightWords: n('VCORE_WEIGHT_WORDS'),
    tableWords: n('VCORE_TABLE_WORDS'),
    readBanks: { a: roles[0]!, x: roles[1]!, y: roles[2]!, s: roles[3]!, m: roles[4]! },
  };
}

/** The banks gateware/vcore/vcore_board.v synthesizes: its vcore instance's NB and BW (8 bits a bank, bank 0 lowest). */
export function vcoreBoardBanks(text: string, file: string): number[] {
  const code = stripVerilogComments(text);
  const nb = /\.NB\((\d+)\)/.exec(code);
  const bw = /\.BW\(64'h([0-9a-fA-F_]+)\)/.exec(code);
  if (!nb || !bw) throw new Error(`${file}: no .NB(n) and .BW(64'h…) on the vcore instance (the board's banks are read from them)`);
  const hex = bw[1]!.replace(/_/g, '').padStart(16, '0');
  return Array.from({ length: Number(nb[1]) }, (_, b) => parseInt(hex.slice(14 - 2 * b, 16 - 2 * b), 16));
}

/**
 * The value of `#define NAME value` in a C header (comments ignored): a plain decimal integer, or a string
 * literal (returned without its quotes); anything else is refused, naming the file and the macro.
 */
export function cDefine(text: string, name: string, file: string): number | string {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, '');
  const m = new RegExp(`^[ \\t]*#[ \\t]*define[ \\t]+${name}[ \\t]+(.*?)[ \\t]*$`, 'm').exec(code);
  if (!m) throw new Error(`${file}: no #define ${name} (the gateware's capacity is read from it)`);
  const v = m[1]!;
  if (/^[0-9]+$/.test(v)) return Number(v);
  const str = /^"([^"\\]*)"$/.exec(v);
  if (str) return str[1]!;
  throw new Error(`${file}: #define ${name} ${v}: expected a decimal integer or a plain string literal`);
}

/**
 * Board parameters that board_top.v declares (and sizes nla_core's memories by) and that the firmware
 * announces in HELLO_ACK and sizes its own buffers by (cpulink_board.h): [board_top parameter, firmware macro].
 */
export const BOARD_FIRMWARE_PAIRS: [string, string][] = [
  ['MAX_PAYLOAD', 'MAX_PAYLOAD'],
  ['IMG_BYTES', 'IMG_BYTES'],
  ['MAX_NEURONS', 'CAP_MAX_NEURONS'],
  ['MAX_SYNAPSES', 'CAP_MAX_SYNAPSES'],
  ['MAX_INPUTS', 'CAP_MAX_INPUTS'],
  ['MAX_OUTPUTS', 'CAP_MAX_OUTPUTS'],
  ['MAX_FRAME_RATE', 'CAP_MAX_FRAME_RATE'],
];

/**
 * Where board_top.v and the firmware's board parameters (cpulink_board.h, compiled into the committed
 * image) disagree: one line each (empty when they agree). The board announces the firmware's numbers in
 * HELLO_ACK and the core holds board_top's: a difference would announce what the gateware does not hold.
 */
export function boardFirmwareMismatches(gatewareDir = join(repoRoot(), 'gateware')): string[] {
  const topFile = join(gatewareDir, 'board_top.v');
  const vcore = boardTopVcore(gatewareDir);
  const fwFile = join(gatewareDir, vcore ? CPULINK_VCORE_BOARD_H : CPULINK_BOARD_H);
  const top = readFileSync(topFile, 'utf8');
  const fw = readFileSync(fwFile, 'utf8');
  const out: string[] = [];
  // the vector core's image buffers are the firmware's (IMG_BYTES there); board_top's IMG_BYTES sizes nla_core's staging
  for (const [param, macro] of BOARD_FIRMWARE_PAIRS.filter(([p]) => !vcore || p !== 'IMG_BYTES')) {
    const a = verilogParameter(top, param, topFile);
    const b = cDefine(fw, macro, fwFile);
    if (a !== b) out.push(`${param}: board_top.v has ${a}, the firmware (${fwFile}) ${macro} ${b}`);
  }
  const id = /\.BOARD_ID\("([^"]*)"\)/.exec(stripVerilogComments(top));
  const fwId = cDefine(fw, 'BOARD_ID', fwFile);
  if (id && id[1] !== fwId) out.push(`BOARD_ID: board_top.v passes "${id[1]}", the firmware announces "${fwId}"`);
  // who encodes a sent frame (CRC-32, COBS, delimiter): board_top's frame_tx, or the firmware (HAL_TX_RAW) where
  // board_top sends its buffer as it is (frame_tx_raw): exactly one
  const rawTop = /\bframe_tx_raw\b/.test(stripVerilogComments(top));
  const rawFw = /^\s*#define\s+HAL_TX_RAW\b/m.test(fw);
  if (rawTop !== rawFw) out.push(`the sent frames' encoding (CRC-32, COBS): board_top.v has ${rawTop ? 'frame_tx_raw (the firmware encodes)' : 'frame_tx (it encodes)'}, the firmware (${fwFile}) ${rawFw ? 'encodes too (HAL_TX_RAW)' : 'does not (no HAL_TX_RAW)'}`);
  if (vcore) out.push(...vcoreBuildMismatches(gatewareDir, firmwareVcoreBuild(fw, fwFile)));
  return out;
}

/** Where the firmware's build (CORE_INFO), vcore_board.v's banks and VCORE_UP5K_BUILD (what the tests model) differ. */
function vcoreBuildMismatches(gatewareDir: string, fwBuild: VcoreBuild): string[] {
  const out: string[] = [];
  const vf = join(gatewareDir, 'vcore', 'vcore_board.v');
  const rtl = vcoreBoardBanks(readFileSync(vf, 'utf8'), vf);
  const fwBits = fwBuild.banks.map((b) => b.bits);
  if (JSON.stringify(rtl) !== JSON.stringify(fwBits)) out.push(`vector-core banks: ${vf} synthesizes ${rtl.length} of ${rtl.join('/')} bits, the firmware announces ${fwBits.length} of ${fwBits.join('/')}`);
  const rtlRoles = vcoreBoardParams(gatewareDir).roles;
  const fwRoles = { RA: fwBuild.readBanks.a, RX: fwBuild.readBanks.x, RY: fwBuild.readBanks.y, RS: fwBuild.readBanks.s, RM: fwBuild.readBanks.m };
  if (JSON.stringify(rtlRoles) !== JSON.stringify(fwRoles)) out.push(`vector-core read ports: ${vf} synthesizes ${JSON.stringify(rtlRoles)}, the firmware announces ${JSON.stringify(fwRoles)}`);
  if (fwBuild.banks.some((b) => b.words !== 256)) out.push(`vector-core banks: the firmware announces ${fwBuild.banks.map((b) => b.words).join('/')} words, vcore_banks holds 256 a bank`);
  if (JSON.stringify(fwBuild) !== JSON.stringify(VCORE_UP5K_BUILD)) out.push(`vector-core build: the firmware announces ${JSON.stringify(fwBuild)}, VCORE_UP5K_BUILD (hardware-models/fixed-point/vcore-image.ts) is ${JSON.stringify(VCORE_UP5K_BUILD)}`);
  return out;
}

/**
 * The capacity of gateware/board_top.v as built: its parameters (what nla_core holds, nla_core's own
 * defaults where board_top passes none), the receive window and board id from the firmware cpu_link runs
 * (cpulink_board.h). Throws if board_top and the firmware disagree on a number both hold (boardFirmwareMismatches).
 */
export function gatewareCapacity(gatewareDir = join(repoRoot(), 'gateware')): GatewareCapacity {
  const read = (f: string) => ({ text: readFileSync(join(gatewareDir, f), 'utf8'), file: join(gatewareDir, f) });
  const top = read('board_top.v');
  const core = read('nla_core.v');
  const vcore = boardTopVcore(gatewareDir);
  const fw = read(vcore ? CPULINK_VCORE_BOARD_H : CPULINK_BOARD_H);
  for (const [mod, names] of Object.entries(SUBMODULE_DEFAULTS)) checkDefaultsNotOverridden(top.text, top.file, mod, names);
  const bad = boardFirmwareMismatches(gatewareDir);
  if (bad.length) throw new Error(`the board's firmware parameters disagree with gateware/board_top.v (rebuild the image: make -C gateware/firmware ${vcore ? 'install-board-image-vcore' : 'install-board-image'}):\n  ${bad.join('\n  ')}`);
  const p = (src: { text: string; file: string }, name: string) => verilogParameter(src.text, name, src.file);
  const d = (name: string) => cDefine(fw.text, name, fw.file);
  const window = d('RX_WINDOW');
  const boardId = d('BOARD_ID');
  if (typeof window !== 'number' || typeof boardId !== 'string') throw new Error(`${fw.file}: RX_WINDOW must be a number and BOARD_ID a string`);
  return {
    caps: {
      maxNeurons: p(top, 'MAX_NEURONS'),
      maxSynapses: p(top, 'MAX_SYNAPSES'),
      maxInputs: p(top, 'MAX_INPUTS'),
      maxOutputs: p(top, 'MAX_OUTPUTS'),
      signalFracBits: SIGNAL_FRAC,
      weightFracBits: WEIGHT_FRAC,
      maxFrameRate: p(top, 'MAX_FRAME_RATE'),
      // the firmware's receive queue: RX_WINDOW messages of up to MAX_PAYLOAD bytes (link.c q_mem)
      window,
      maxPayload: p(top, 'MAX_PAYLOAD'),
    },
    internal: {
      populations: p(core, 'MAX_POPS'),
      projections: p(core, 'MAX_PROJ'),
      tables: p(core, 'MAX_TABLES'),
      imageBytes: vcore ? Number(d('IMG_BYTES')) : p(top, 'IMG_BYTES'),
    },
    boardId,
    vcore: vcore ? firmwareVcoreBuild(fw.text, fw.file) : null,
  };
}

/**
 * Every way an image exceeds the gateware, each naming what the network needs and what the design
 * offers (empty when it fits): the protocol's capabilities and the core's internal limits. `probes` is
 * the stream's probe mask: its OUTPUT_FRAMEs must fit MAX_PAYLOAD too (the board refuses START_STREAM).
 */
export function gatewareProblems(img: BoardImage, imageBytes: number, g: GatewareCapacity, probes = 1): string[] {
  const out: string[] = [];
  const need = (what: string, needs: number, max: number, where: string) => {
    if (needs > max) out.push(`${what}: the network needs ${needs}, the gateware holds ${max} (${where})`);
  };
  need('neurons', img.nNeurons, g.caps.maxNeurons, 'MAX_NEURONS');
  need('synapses', synapseCount(img), g.caps.maxSynapses, 'MAX_SYNAPSES');
  need('input units', img.nInputs, g.caps.maxInputs, 'MAX_INPUTS');
  need('outputs', img.outputs.length, g.caps.maxOutputs, 'MAX_OUTPUTS');
  need('bytes per INPUT_FRAME payload', framePayloadBytes(img.nStimulusInputs), g.caps.maxPayload, 'MAX_PAYLOAD');
  need(`bytes per OUTPUT_FRAME payload (probes 0x${probes.toString(16).padStart(2, '0')})`, framePayloadBytes(probeWidth(img, probes)), g.caps.maxPayload, 'MAX_PAYLOAD');
  if (g.vcore) return [...out, ...vcoreProblems(img, g.vcore, g.internal.imageBytes)];
  need('image bytes', imageBytes, g.internal.imageBytes, 'IMG_BYTES');
  need('populations', img.populations.length, g.internal.populations, 'MAX_POPS of nla_core');
  need('projections', img.projections.length, g.internal.projections, 'MAX_PROJ of nla_core');
  need('populations with a table activation', img.populations.filter((q) => q.activation.kind === 'table').length, g.internal.tables, 'MAX_TABLES of nla_core');
  return out;
}

/** The vector core's problems with a network: what compileVcoreImage refuses for the build, and the image's size. */
function vcoreProblems(img: BoardImage, build: VcoreBuild, bufferBytes: number): string[] {
  let bytes: Uint8Array;
  try {
    bytes = compileVcoreImage(img, build);
  } catch (e) {
    return [`the vector core (VCORE_UP5K_BUILD): ${(e as Error).message}`];
  }
  return bytes.length > bufferBytes ? [`vector-core image bytes: the network needs ${bytes.length}, the firmware's image buffer holds ${bufferBytes} (IMG_BYTES of ${CPULINK_VCORE_BOARD_H})`] : [];
}
