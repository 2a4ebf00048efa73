/* vcore_image.h: the board's check of a vector-core image (format nla-vcore-image/1, magic "NLAV"; docs/protocol.md
 * section 10.5) as firmware: the host compiles, the board checks and copies. vcore_image_check() accepts and refuses
 * exactly the images that decodeVcoreImage (hardware-models/fixed-point/vcore-image.ts) accepts and refuses, at the
 * same first offending byte and with the same field (test/gateware/vcore-firmware.test.ts proves it on hand-made,
 * random and bit-flip corruptions). C99, freestanding (no libc, no malloc); the image lies whole in memory (the
 * board's image buffer) and is only read. On success the view holds the header's values and the byte offset of every
 * section, which is what the driver (vcore_driver.h) copies into the core. */
#ifndef FW_VCORE_IMAGE_H
#define FW_VCORE_IMAGE_H
#include <stdint.h>

#define VC_MAX_BANKS 8u        /* an instruction's address has a 3-bit bank */
#define VC_TABLE_KNOTS 257u    /* knots of one table (image.ts TABLE_KNOTS) */
#define VC_NO_OFFSET 0xFFFFFFFFu   /* err_off of a refusal of the image as a whole (too short) */

/* What one synthesized vector core holds (vcore-image.ts VcoreBuild, announced by the board). Fixed-width fields only:
 * the ISS test copies it byte for byte into the rv32 image. */
typedef struct {
  uint8_t number_format;       /* 1 = UP5K16 */
  uint8_t weight_shift, weight_bits, operand_bits, factor_bits;
  uint8_t n_banks;             /* 1..VC_MAX_BANKS */
  uint16_t instructions;       /* program memory, instructions */
  uint16_t bank_words[VC_MAX_BANKS];
  uint8_t bank_bits[VC_MAX_BANKS];
  uint8_t read_banks[5];       /* the banks each operand role reads (A, X, Y, S, M; bit b: bank b): vcore.v RA..RM */
  uint16_t k_regs;
  uint16_t weight_words;       /* W; W0 lives above it */
  uint32_t table_words;
} vcore_build;

/* A checked image: header values and section offsets (bytes from the image's start). Fixed-width fields only. */
typedef struct {
  uint32_t source_image_id;
  uint16_t n_instr, entry_reset, entry_frame, steps_per_frame, iterations;
  uint16_t n_weights, n_proj, n_tables, n_rin, n_bias, n_out, n_all_u, n_clear, n_readers;
  uint8_t n_banks, n_k, k_beta, factor_bits;
  uint16_t bank_words[VC_MAX_BANKS];
  uint8_t bank_bits[VC_MAX_BANKS];
  uint8_t read_banks[5];       /* the build's (the program check reads it) */
  uint32_t name_at;            /* the name's length byte */
  uint32_t prog_at, k_at, readers_at, proj_at, weights_at, tables_at, rin_at, bias_at, out_at, all_u_at, clear_at;
  /* a refusal: the byte (VC_NO_OFFSET: the image as a whole) and the field's indices (see VCORE_FIELDS) */
  uint32_t err_off;
  uint16_t err_a, err_b;
  uint8_t err_op;              /* the op of an instruction's refusal */
} vcore_image_view;

/* The fields a refusal names, as decodeVcoreImage names them: X(code, ID, name pattern); in a pattern %a and %b are
 * err_a and err_b, %o the name of the op err_op (HALT E MV DOT PLAS ACT LOOP NEXT JNL JMP), %r the RTL field name
 * err_b (VCORE_RTL_NAMES). The test reads these tables to turn the C answer into the TypeScript message's
 * "byte N (field)". */
#define VCORE_FIELDS(X) \
  X(1, SHORT, "image length") X(2, MAGIC, "magic") X(3, VERSION, "version") X(4, FLAGS, "flags") \
  X(5, TOTAL, "totalBytes") X(6, CRC, "crc32") X(7, SOURCE, "sourceImageId") X(8, NUMFMT, "numberFormat") \
  X(9, WSHIFT, "weightShift") X(10, WBITS, "weightBits") X(11, OBITS, "operandBits") X(12, FBITS, "factorBits") \
  X(13, NBANKS, "nBanks") X(14, NINSTR, "nInstructions") X(15, ENTRY_RESET, "entryReset") \
  X(16, ENTRY_FRAME, "entryFrame") X(17, STEPS, "stepsPerFrame") X(18, ITERS, "iterations") X(19, NK, "nK") \
  X(20, KBETA, "kBeta") X(21, NW, "nWeights") X(22, NPROJ, "nProjections") X(23, NTAB, "nTableWords") \
  X(24, NRIN, "nStimulusInputs") X(25, NBIAS, "nBias") X(26, NOUT, "nOutputs") X(27, NALLU, "nAllU") \
  X(28, NCLEAR, "nClear") X(29, NREADERS, "nBetaReaders") X(30, NAME_LEN, "name length") X(31, NAME, "name") \
  X(32, BANK_WORDS, "bank %a words") X(33, BANK_BITS, "bank %a bits") X(34, INSTR_WORD, "instruction %a word %b") \
  X(35, K_MANT, "K %a mantissa") X(36, K_EXP, "K %a exponent") X(37, READER, "beta reader %a") \
  X(38, PROJ_WBASE, "projection %a wbase") X(39, PROJ_WLEN, "projection %a wlen") X(40, WEIGHT, "weight %a") \
  X(41, TABLE, "table word %a") X(42, RIN, "r_in %a") X(43, BIAS, "bias %a") X(44, OUT_U, "output %a u") \
  X(45, OUT_RHO, "output %a rho") X(46, OUT_EBAR, "output %a ebar") X(47, OUT_USTAR, "output %a ustar") \
  X(48, OUT_PREV, "output %a prev") X(49, OUT_HT, "output %a ht") X(50, ALLU, "all_u %a") X(51, CLEAR, "clear %a") \
  X(52, CLEAR_LEN, "clear %a length") X(53, END, "end") X(54, INSTR, "instruction %a") \
  X(55, INSTR_OP, "instruction %a (%o)") X(56, INSTR_OP_WORD, "instruction %a (%o) word %b") \
  X(57, READERS, "beta readers") X(58, RTL, "instruction %a (%o) %r") X(59, RTL_BANK, "instruction %a (%o) %r.bank") \
  X(60, RTL_WORD, "instruction %a (%o) %r.word")

/* The RTL refusals' field names (%r of VF_RTL, VF_RTL_BANK and VF_RTL_WORD: R(err_b, ID, name)), as
 * vcore-rtl-limits.ts names them: the fields vcore_elem and vcore.v lack, LOOP's end nested past the loop stack, and
 * the bank accesses (a read of a bank another read of the slot holds, a write over words read at another index, a
 * read of a bank its role's read mux does not reach). */
#define VCORE_RTL_NAMES(R) \
  R(1, A_NEG, "a_neg") R(2, X_SLICE, "x.slice") R(3, X_SUB, "x.sub") R(4, X_SHL8, "x.shl8") R(5, Y_SLICE, "y.slice") \
  R(6, Y_SUB, "y.sub") R(7, Y_SHL8, "y.shl8") R(8, U, "u") R(9, EPI_A_NEG, "epi.a_neg") R(10, CHAIN, "chain_en") \
  R(11, END, "end") R(12, A, "a") R(13, X_A, "x.a") R(14, Y_A, "y.a") R(15, MASK, "mask") R(16, X, "x") \
  R(17, ACC, "acc") R(18, Y, "y") R(19, PLAS_R, "r") R(20, PLAS_C, "c") R(21, DST, "dst") R(22, EPI_DST, "epi.dst") \
  R(23, EPI_A, "epi.a")

#define VCORE_FIELD_ENUM(code, id, name) VF_##id = code,
enum { VF_OK = 0, VCORE_FIELDS(VCORE_FIELD_ENUM) VF_COUNT };
#undef VCORE_FIELD_ENUM
#define VCORE_RTL_ENUM(code, id, name) VR_##id = code,
enum { VR_NONE = 0, VCORE_RTL_NAMES(VCORE_RTL_ENUM) VR_COUNT };
#undef VCORE_RTL_ENUM

/* Checks img[0..len) against the build and itself. Returns VF_OK (0) and fills *out, or the refused field's code with
 * out->err_off, err_a, err_b set (the rest of *out is then unspecified). */
int vcore_image_check(const uint8_t *img, uint32_t len, const vcore_build *b, vcore_image_view *out);

/* The second half of the check (vcore_prog_check.c), on an image whose sections vcore_image_check has read: every
 * instruction decoded, inside the image's memories and re-encoding to its bits; the K registers as their users read
 * them; the β reader list; last, what the RTL (gateware/vcore) runs as the program machine does (vcore-rtl-limits.ts).
 * Returns VF_OK or the field as vcore_image_check does. */
int vcore_prog_check(const uint8_t *img, vcore_image_view *v, uint32_t factor_bits);

/* The name pattern of a field code ("" for an unknown code): for the board's error messages. */
const char *vcore_field_name(int code);
/* The RTL field name %r of a refusal's err_b ("" for an unknown one). */
const char *vcore_rtl_name(int code);

/* Little-endian reads of a checked image (the driver's). */
static inline uint32_t vc_u16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static inline uint32_t vc_u32(const uint8_t *p) { return vc_u16(p) | vc_u16(p + 2) << 16; }

#endif
