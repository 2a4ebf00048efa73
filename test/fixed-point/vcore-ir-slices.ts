import { opFields, OPCODE } from '../../hardware-models/fixed-point/core-program-encode.js';

// vcore.v's decode of the instruction register against opFields (core-program-encode.ts): every
// `wire [h:l] name = ir[a:b];` is found, known wire names are checked against their field (or an address's word/bank
// part), and a wire this table does not know yet (another helper adding ACT, say) must sit exactly on some op's field.

/** An `ir` slice vcore.v decodes: its wire, declared width, lsb and width. */
export interface Slice {
  wire: string;
  declared: number;
  lsb: number;
  width: number;
}

/** Every `wire [h:l] name = ir[a:b];` (or `ir[a]`) of vcore.v. */
export function irSlices(src: string): Slice[] {
  const out: Slice[] = [];
  const re = /wire\s+(?:\[(\d+):(\d+)\]\s+)?(\w+)\s*=\s*ir\[(\d+)(?::(\d+))?\]\s*;/g;
  for (const m of src.replace(/\/\/.*$/gm, '').matchAll(re)) {
    const hi = Number(m[4]);
    const lo = m[5] === undefined ? hi : Number(m[5]);
    out.push({ wire: m[3]!, declared: m[1] === undefined ? 1 : Number(m[1]) - Number(m[2]) + 1, lsb: lo, width: hi - lo + 1 });
  }
  return out;
}

/** vcore.v's names for the fields: wire → [op, field, part of an address (word: low 8 bits, bank: high 3)]. */
type Part = 'word' | 'bank' | undefined;
const addr = (op: string, f: string, w: string, b: string): Record<string, Array<[string, string, Part]>> => ({ [w]: [[op, f, 'word']], [b]: [[op, f, 'bank']] });
export const RTL_NAMES: Record<string, Array<[string, string, Part]>> = {
  op: [['E', 'op', undefined]],
  n: [['E', 'n', undefined], ['DOT', 'n', undefined]],
  dword: [['E', 'dst', 'word'], ['DOT', 'dst', 'word']],
  dbank: [['E', 'dst', 'bank'], ['DOT', 'dst', 'bank']],
  clampk: [['E', 'clamp', undefined]],
  ...Object.fromEntries(['count', 'a_en', 'xmode', 'xs', 'xclip', 'ymode', 'ys', 'yclip', 'yshl8', 'ysub_en', 'u', 'p_neg', 'mask_en', 'one'].map((f) => [f, [['E', f, undefined]]])),
  ...addr('E', 'a', 'aword', 'abank'),
  ...addr('E', 'xaddr', 'xword', 'xbank'),
  ...addr('E', 'yaddr', 'yword', 'ybank'),
  ...addr('E', 'ysub', 'sword', 'sbank'),
  ...addr('E', 'mask', 'mword', 'mbank'),
  lp_iters: [['LOOP', 'count', undefined]],
  lp_end: [['LOOP', 'end', undefined]],
  jto: [['JNL', 'to', undefined], ['JMP', 'to', undefined]],
  ...Object.fromEntries(['t', 'init', 'rows', 'cols', 'wb'].map((f) => [`mv_${f}`, [['MV', f, undefined]]])),
  ...addr('MV', 'x', 'mv_xword', 'mv_xbank'),
  ...addr('MV', 'acc', 'mv_cword', 'mv_cbank'),
  ...addr('MV', 'epi.dst', 'mv_dword', 'mv_dbank'),
  ...addr('MV', 'epi.a', 'mv_aword', 'mv_abank'),
  mv_epi: [['MV', 'epi_en', undefined]],
  mv_clamp: [['MV', 'epi.clamp', undefined]],
  mv_count: [['MV', 'epi.count', undefined]],
  mv_a_en: [['MV', 'epi.a_en', undefined]],
  mv_sh: [['MV', 'epi.sh', undefined]],
  mv_p_neg: [['MV', 'epi.p_neg', undefined]],
  ...addr('DOT', 'x', 'dt_xword', 'dt_xbank'),
  ...addr('DOT', 'y', 'dt_yword', 'dt_ybank'),
  ...Object.fromEntries(['rows', 'cols', 'wb', 'k'].map((f) => [`pl_${f}`, [['PLAS', f, undefined]]])),
  ...addr('PLAS', 'r', 'pl_rword', 'pl_rbank'),
  ...addr('PLAS', 'c', 'pl_cword', 'pl_cbank'),
  pl_u: [['PLAS', 'u1', undefined]],
  pl_chain: [['PLAS', 'chain_en', undefined]],
  ...Object.fromEntries(['kind', 'n', 'k', 'tb'].map((f) => [`ac_${f}`, [['ACT', f, undefined]]])),
  ...addr('ACT', 'u', 'ac_uword', 'ac_ubank'),
  ...addr('ACT', 'rho', 'ac_rword', 'ac_rbank'),
  ...addr('ACT', 'drho', 'ac_dword', 'ac_dbank'),
  ...addr('ACT', 'curv', 'ac_cword', 'ac_cbank'),
};

/** [lsb, width] of a field or an address's part. */
function place(op: string, field: string, part: Part): [number, number] | undefined {
  const f = opFields(op as keyof typeof OPCODE)[field];
  if (!f) return undefined;
  return part === 'word' ? [f[0], 8] : part === 'bank' ? [f[0] + 8, 3] : f;
}

/** Where a slice of vcore.v disagrees with opFields (an unknown wire must sit exactly on some op's field or address part). */
export function sliceFaults(src: string): { faults: string[]; known: number; unknown: string[] } {
  const faults: string[] = [];
  const unknown: string[] = [];
  let known = 0;
  for (const s of irSlices(src)) {
    const at = `${s.wire} = ir[${s.lsb + s.width - 1}:${s.lsb}]`;
    if (s.declared !== s.width) faults.push(`${at}: declared ${s.declared} bits`);
    const names = RTL_NAMES[s.wire];
    if (names) {
      known++;
      for (const [op, field, part] of names) {
        const p = place(op, field, part);
        if (!p || p[0] !== s.lsb || p[1] !== s.width) faults.push(`${at}: opFields('${op}').${field}${part ? ` (${part})` : ''} is ${p ? `[${p[0]}, ${p[1]}]` : 'missing'}`);
      }
      continue;
    }
    const hits = (Object.keys(OPCODE) as Array<keyof typeof OPCODE>).flatMap((op) =>
      Object.keys(opFields(op)).flatMap((f) => ([undefined, 'word', 'bank'] as Part[]).filter((part) => (part === undefined || opFields(op)[f]![1] === 11) && place(op, f, part)?.join() === `${s.lsb},${s.width}`).map((part) => `${op}.${f}${part ? `.${part}` : ''}`)),
    );
    if (hits.length === 0) faults.push(`${at}: no field of any op sits there`);
    else unknown.push(`${s.wire} ~ ${hits.join('|')}`);
  }
  return { faults, known, unknown };
}

