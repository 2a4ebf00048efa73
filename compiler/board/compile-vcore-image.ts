import { compileProgram, type CoreProgram } from '../../hardware-models/fixed-point/core-program.js';
import { UP5K16 } from '../../hardware-models/fixed-point/format.js';
import type { BoardImage } from '../../hardware-models/fixed-point/image.js';
import { encodeImage, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { knotProblems } from '../../hardware-models/fixed-point/vcore-knots.js';
import { decodeVcoreImage, encodeVcoreImage, VCORE_GENERIC_BUILD, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';

/**
 * The vector core's image of a board image: the program compiled once on the host (compileProgram in UP5K16), its
 * memories and maps, stamped with the board image's id (the CRC a board reports in HELLO_ACK). The result is decoded
 * against `build` before it is returned, so an image that a board of that build would refuse is refused here, with the
 * same message.
 */
export function compileVcoreImage(img: BoardImage, build: VcoreBuild = VCORE_GENERIC_BUILD): Uint8Array {
  const prog = compileProgram(img, UP5K16);
  const problems = fitProblems(prog, build);
  if (problems.length) throw new Error(`it needs ${problems.join('; ')}`);
  const bytes = encodeVcoreImage(prog, imageId(encodeImage(img)), img.network);
  decodeVcoreImage(bytes, build, `vcore image of ${img.network}`);
  return bytes;
}

/** What a compiled program needs beyond a build, one clause each (empty when it fits). */
function fitProblems(prog: CoreProgram, b: VcoreBuild): string[] {
  const out: string[] = [];
  if (prog.code.length > b.instructions) out.push(`${prog.code.length} instructions, the core holds ${b.instructions}`);
  if (prog.banks.length > b.banks.length) out.push(`${prog.banks.length} vector banks, the core has ${b.banks.length}`);
  prog.banks.forEach((bank, k) => {
    const have = b.banks[k];
    if (!have) return;
    if (bank.words > have.words) out.push(`bank ${k} of ${bank.words} words (${bank.vectors.slice(0, 3).join(', ')}${bank.vectors.length > 3 ? ', …' : ''}), the core's has ${have.words}`);
    if (bank.bits > have.bits) out.push(`bank ${k} ${bank.bits} bits wide, the core's is ${have.bits}`);
  });
  if (prog.w0 > b.weightWords) out.push(`${prog.w0} weight registers, the core holds ${b.weightWords}`);
  if (prog.tables.length > b.tableWords) out.push(`${prog.tables.length} knot-table words, the core holds ${b.tableWords}`);
  if (prog.K.length > b.kRegs) out.push(`${prog.K.length} constant registers, the core has ${b.kRegs}`);
  out.push(...knotProblems(prog.tables).map((p) => `an activation table the core's knot words hold (${p})`));
  return out;
}
