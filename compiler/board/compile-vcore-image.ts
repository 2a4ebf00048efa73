import { compileProgram, type CoreProgram } from '../../hardware-models/fixed-point/core-program.js';
import { UP5K16 } from '../../hardware-models/fixed-point/format.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { encodeImage, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { placeBanks, permuteBanks } from '../../hardware-models/fixed-point/bank-placement.js';
import { checkRtlProgram, vcoreRtlLimitsFor } from '../../hardware-models/fixed-point/vcore-rtl-limits.js';
import { knotProblems } from '../../hardware-models/fixed-point/vcore-knots.js';
import { decodeVcoreImage, encodeVcoreImage, VCORE_GENERIC_BUILD, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';

/**
 * The vector core's image of a board image: the program compiled once on the host (compileProgram in UP5K16), its
 * banks placed onto the build's by width and by the banks each operand role reads (bank-placement.ts), its memories and maps, stamped with the board image's id
 * (the CRC a board reports in HELLO_ACK), checked against what the build's RTL runs (vcore-rtl-limits.ts). The result is decoded against `build` before it is returned, so an image
 * that a board of that build would refuse is refused here, with the same message.
 */
export function compileVcoreImage(img: BoardImage, build: VcoreBuild = VCORE_GENERIC_BUILD): Uint8Array {
  const { prog, problems: bankProblems } = placeOnto(compileProgram(img, UP5K16), build);
  const problems = [...bankProblems, ...fitProblems(prog, build)];
  if (problems.length) throw new Error(`it needs ${problems.join('; ')}`);
  const rtl = checkRtlProgram(prog, vcoreRtlLimitsFor(build));
  if (rtl.length) throw new Error(`its program has what the vector core's RTL does not run: ${rtl.slice(0, 5).join('; ')}${rtl.length > 5 ? `; and ${rtl.length - 5} more` : ''}`);
  const bytes = encodeVcoreImage(prog, imageId(encodeImage(img)), img.network);
  decodeVcoreImage(bytes, build, `vcore image of ${img.network}`);
  return bytes;
}

/** The program with its banks placed onto the build's, or the clauses saying why they do not go. */
function placeOnto(prog: CoreProgram, b: VcoreBuild): { prog: CoreProgram; problems: string[] } {
  if (prog.banks.length > b.banks.length) {
    const big = prog.banks.reduce((x, y) => (y.words > x.words ? y : x));
    const shapes = b.banks.map((k) => `${k.words}×${k.bits}`).join(', ');
    return { prog, problems: [`${prog.banks.length} vector banks (the largest ${big.words} words × ${big.bits} bits), the core has ${b.banks.length} (${shapes})`] };
  }
  const placed = placeBanks(prog, b.banks, b.readBanks);
  return 'perm' in placed ? { prog: permuteBanks(prog, placed.perm), problems: [] } : { prog, problems: placed.problems };
}

/** What a compiled program needs beyond a build other than its banks, one clause each (empty when it fits). */
function fitProblems(prog: CoreProgram, b: VcoreBuild): string[] {
  const out: string[] = [];
  if (prog.code.length > b.instructions) out.push(`${prog.code.length} instructions, the core holds ${b.instructions}`);
  if (prog.w0 > b.weightWords) out.push(`${prog.w0} weight registers, the core holds ${b.weightWords}`);
  if (prog.tables.length > b.tableWords) out.push(`${prog.tables.length} knot-table words, the core holds ${b.tableWords}`);
  if (prog.K.length > b.kRegs) out.push(`${prog.K.length} constant registers, the core has ${b.kRegs}`);
  out.push(...knotProblems(prog.tables).map((p) => `an activation table the core's knot words hold (${p})`));
  return out;
}
