/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker 1999): removes every 0x00 from a frame, so 0x00
 * can delimit frames on the line; the overhead is at most 1 + ⌊n/254⌋ bytes. A receiver that joins
 * mid-stream or meets garbage resynchronises at the next 0x00.
 */
export function cobsEncode(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length + Math.ceil(src.length / 254) + 1);
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (b === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    } else {
      out[o++] = b;
      code++;
      if (code === 0xff) {
        out[codeAt] = code;
        codeAt = o++;
        code = 1;
      }
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/** Decodes one COBS block (without its delimiter); null when the block is malformed. */
export function cobsDecode(src: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(src.length);
  let o = 0;
  let i = 0;
  while (i < src.length) {
    const code = src[i]!;
    if (code === 0 || i + code > src.length) return null;
    for (let k = 1; k < code; k++) {
      const b = src[i + k]!;
      if (b === 0) return null;
      out[o++] = b;
    }
    i += code;
    if (code < 0xff && i < src.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
