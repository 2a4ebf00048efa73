/**
 * iCE40 UP5K EBR cost of a memory: each EBR is 4 Kbit with one read and one write port, configurable as
 * 256 × 16, 512 × 8, 1024 × 4 or 2048 × 2. A bank of `words` × `bits` uses, for the best aspect,
 * ceil(bits / width) EBR in parallel times ceil(words / depth) in series.
 */
export const EBR_ASPECTS: ReadonlyArray<{ depth: number; width: number }> = [
  { depth: 256, width: 16 },
  { depth: 512, width: 8 },
  { depth: 1024, width: 4 },
  { depth: 2048, width: 2 },
];

/** EBR count of one `words` × `bits` bank (0 for an empty bank). */
export function ebrCost(words: number, bits: number): number {
  if (words <= 0 || bits <= 0) return 0;
  let best = Infinity;
  for (const a of EBR_ASPECTS) best = Math.min(best, Math.ceil(bits / a.width) * Math.ceil(words / a.depth));
  return best;
}

/** EBR count of a list of banks. */
export function ebrTotal(banks: ReadonlyArray<{ words: number; bits: number }>): number {
  return banks.reduce((s, b) => s + ebrCost(b.words, b.bits), 0);
}
