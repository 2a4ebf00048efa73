/* session.c: see session.h. A message's credit returns (link_q_pop) only when it is finished: for an
 * INPUT_FRAME after its OUTPUT_FRAME is in the store (7.3). */
#include "session.h"
#include "link.h"
#include "history.h"
#include "hal.h"
#include "config.h"
#if FW_VCORE
#include "vcore_core.h"
#endif
#if FW_CORE_LOADER
/* the loader's core parameters are the board's (cpulink_board.h, checked against board_top.v by
 * test/gateware/cpu-board-image.test.ts); MAX_POPS, MAX_PROJ, MAX_TABLES: nla_core's defaults */
#define II_MAX_NEURONS CAP_MAX_NEURONS
#define II_MAX_INPUTS CAP_MAX_INPUTS
#define II_MAX_OUTPUTS CAP_MAX_OUTPUTS
#define II_MAX_SYNAPSES CAP_MAX_SYNAPSES
#define II_IMG_BYTES IMG_BYTES
#define II_MAX_PAYLOAD MAX_PAYLOAD
#include "image_install.h"
#endif

#define NO_FRAME 0xFFFFFFFFu
enum { T_OUTPUT = 0x0A, T_STATUS = 0x0B, T_ERROR = 0x0C, T_END = 0x0E, T_CORE_INFO = 0x11 };
#if FW_VCORE
#define FW_LAST_TYPE 0x10   /* protocol 1.1 */
#else
#define FW_LAST_TYPE 0x0F
#endif
enum { E_BAD_IMAGE = 1, E_NO_IMAGE = 2, E_CAPACITY = 3, E_BAD_FRAME = 4, E_OUT_OF_ORDER = 5,
       E_NOT_STREAMING = 6, E_UNKNOWN = 7, E_HISTORY = 8, E_BAD_PARAM = 10 };

/* the ERROR texts (those of gateware/msg_rom.v); a '#' at the end: "0x" and 8 hex digits of a number follow */
enum { M_STREAMING_LOAD, M_IMG_SIZE, M_IMG_CHUNK, M_IMG_INVALID, M_IMG_CAPACITY, M_IMG_STAGING, M_NO_IMAGE,
       M_PARAM_RANGE, M_PROBES, M_PROBES_SIZE, M_START_ORDER, M_IN_NOT_STREAMING, M_TGT_NOT_STREAMING,
       M_ORDER, M_COUNT, M_MALFORMED, M_UNKNOWN_TYPE, M_NOT_ACCEPTED, M_HISTORY, M_PARAM_NO_IMAGE, M_CORE_FAULT };
static const char *const msg_text[] = {
  "stop the stream first", "image size outside 48..67108864: #", "chunk out of sequence, offset #",
  "invalid image at byte #", "exceeds a capability at byte #", "image exceeds staging memory: #",
  "no image loaded", "parameter value out of range: id #", "probes must be 1..15",
  "output frame exceeds maxPayload", "stream starts at 0 or at #", "input only while streaming",
  "targets only while streaming", "frame out of order, expected #", "wrong value count, expected #",
  "malformed payload of type #", "unknown message type #", "board does not accept type #",
  "outputs kept from frame #", "no image loaded", "the core stopped at pc #",
};

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, (uint16_t)v); wr16(p + 2, (uint16_t)(v >> 16)); }

/* ---- session state ---- */
enum { S_IDLE, S_LOAD_COPY, S_LOAD_WAIT, S_GO_WAIT, S_OUTPUT, S_ANSWER, S_RESEND };
static uint8_t state;
static uint8_t streaming, booted, hello_pend, hello_mark, img_active, no_last, learn, probes;
static uint32_t last, rejected, img_got, img_tot;
#if FW_CORE_LOADER
static uint8_t installing;               /* the firmware loader's job runs (S_LOAD_WAIT) */
#endif
static uint16_t width, out_plen;        /* the stream's width(probes) and OUTPUT_FRAME payload length */
static uint8_t h_skip;                  /* the OUTPUT_FRAME is too large for the history */
/* the message being handled */
static const uint8_t *mp;
static uint8_t mtype;
static uint16_t mlen;
/* the answer waiting for room in the store */
static uint8_t ans_type, err_msg, err_code;
static uint32_t err_frame, err_num;
/* RESEND_OUTPUTS: the next entry and how many are left */
static uint16_t rs_ptr, rs_left;
/* LOAD_IMAGE: the chunk's bytes staged so far */
static uint16_t cp_i;
/* OUTPUT_FRAME: where it is being written in the store (0: not yet), values written */
static uint8_t *out_f;
static uint16_t out_vi;
/* the next INPUT_FRAME (the queue's second message) was started on the core as soon as the outputs were read */
static uint8_t pre_go;

void session_init(void) {
  state = S_IDLE;
  streaming = 0; booted = 1; hello_pend = 0; hello_mark = 0; img_active = 0; no_last = 1;
  out_f = 0; out_vi = 0; pre_go = 0;
  learn = 0; probes = 1; last = 0; rejected = 0; img_got = 0; img_tot = 0; width = 0; out_plen = 10;
  hist_clear();
  hal_set_learn(0);
}

uint8_t session_board_state(void) { return !hal_image_loaded() ? 0 : streaming ? 2 : 1; }

static void at_rest(void) {             /* no frame computed, frame 0 expected, history cleared */
  no_last = 1;
  hist_clear();
}

static void answer(uint8_t t) { ans_type = t; state = S_ANSWER; }

/* ERROR: the code, the frame it names and the number its text ends with follow from the text */
static void fail(uint8_t msg) {
  const uint32_t next = no_last ? 0 : last + 1;
  uint8_t counted = 0;
  err_msg = msg;
  err_frame = NO_FRAME;
  err_num = 0;
  switch (msg) {
    case M_STREAMING_LOAD: err_code = E_BAD_IMAGE; break;
    case M_IMG_SIZE: err_code = E_BAD_IMAGE; err_num = rd32(mp + 4); break;
    case M_IMG_CHUNK: err_code = E_BAD_IMAGE; err_num = rd32(mp); break;
    case M_IMG_INVALID: err_code = E_BAD_IMAGE; break;           /* (err_num: the core's offset) */
    case M_IMG_CAPACITY: err_code = E_CAPACITY; break;
    case M_IMG_STAGING: err_code = E_CAPACITY; err_num = img_tot; break;
    case M_PROBES_SIZE: err_code = E_CAPACITY; break;
    case M_NO_IMAGE: err_code = E_NO_IMAGE; break;
    case M_PARAM_RANGE: err_code = E_BAD_PARAM; err_num = rd16(mp); break;
    case M_PROBES: case M_PARAM_NO_IMAGE: err_code = E_BAD_PARAM; break;
    case M_START_ORDER: case M_ORDER:
      err_code = E_OUT_OF_ORDER; err_frame = rd32(mp); err_num = next; counted = 1; break;
    case M_IN_NOT_STREAMING: case M_TGT_NOT_STREAMING: err_code = E_NOT_STREAMING; err_frame = rd32(mp); break;
    case M_COUNT:
      err_code = E_BAD_FRAME; err_frame = rd32(mp); counted = 1;
      err_num = mtype == 0x09 ? hal_n_outputs() : hal_n_stim_inputs();
      break;
    case M_MALFORMED: err_code = E_BAD_FRAME; err_num = mtype; break;   /* (not counted, as the RTL) */
    case M_HISTORY: err_code = E_HISTORY; err_frame = rd32(mp); break;   /* (err_num set by the caller) */
#if FW_VCORE
    /* a frame whose run trapped or did not halt: not computed, no OUTPUT_FRAME (err_num: the pc) */
    case M_CORE_FAULT: err_code = E_BAD_FRAME; err_frame = rd32(mp); err_num = vcore_core_frame_fault() - 1u; counted = 1; break;
#endif
    default: err_code = E_UNKNOWN; err_num = mtype; break;               /* UNKNOWN_TYPE, NOT_ACCEPTED */
  }
  if (counted) rejected++;
  answer(T_ERROR);
}
static void fail_img(uint8_t msg, uint16_t off) { fail(msg); err_num = off; }

static uint8_t text_len(const char *t, uint8_t *has_num) {
  uint8_t n = 0;
  while (t[n] && t[n] != '#') n++;
  *has_num = t[n] == '#';
  return n;
}

/* writes the pending STATUS / END_STREAM / ERROR into the store; 0 while there is no room */
static int emit_answer(void) {
  uint16_t plen;
  uint8_t has_num = 0, tl = 0;
  const char *t = msg_text[err_msg];
  if (ans_type == T_STATUS) plen = 18;
  else if (ans_type == T_END) plen = 8;
#if FW_VCORE
  else if (ans_type == T_CORE_INFO) plen = 19 + 3 * VCORE_N_BANKS;
#endif
  else {
    tl = text_len(t, &has_num);
    plen = (uint16_t)(7 + tl + (has_num ? 10 : 0));
  }
  uint8_t *f = link_store_alloc((uint16_t)(HDR_BYTES + plen));
  if (!f) return 0;
  uint8_t *p = f + HDR_BYTES;
  f[0] = 1;
  f[1] = ans_type;
  wr16(f + 9, plen);
  if (ans_type == T_STATUS) {
    p[0] = session_board_state();
    wr32(p + 1, hal_frames_processed());
    wr32(p + 5, no_last ? NO_FRAME : last);
    wr32(p + 9, hal_saturations());
    wr32(p + 13, rejected);
    p[17] = (uint8_t)(hal_image_loaded() != 0);
  } else if (ans_type == T_END) {
    wr32(p, no_last ? NO_FRAME : last);
    wr32(p + 4, hal_frames_processed());
#if FW_VCORE
  } else if (ans_type == T_CORE_INFO) {
    vcore_core_info(p);
#endif
  } else {
    static const char hex[] = "0123456789abcdef";
    wr16(p, err_code);
    wr32(p + 2, err_frame);
    p[6] = (uint8_t)(plen - 7);
    for (uint8_t i = 0; i < tl; i++) p[7 + i] = (uint8_t)t[i];
    if (has_num) {
      p[7 + tl] = '0';
      p[8 + tl] = 'x';
      for (uint8_t i = 0; i < 8; i++) p[9 + tl + i] = (uint8_t)hex[(err_num >> (28 - 4 * i)) & 15];
    }
  }
  link_store_commit();
  return 1;
}

/* ---- well-formedness of the payload (messages.ts decodePayload): the length each type must have ---- */
static int well_formed(void) {
  const uint8_t *p = mp;
  switch (mtype) {
    case 0x01: return mlen >= 9 && mlen == 9 + p[8];
    case 0x02: return mlen >= 32 && mlen == 32 + p[31];
    case 0x03: return mlen >= 8;
    case 0x04: return mlen == 6;
    case 0x05: return mlen == 1;
    case 0x06: return mlen == 9;
    case 0x07: case 0x0D: return mlen == 0;
    case 0x08: case 0x0A: return mlen >= 10 && mlen == 10 + 3u * rd16(p + 8);
    case 0x09: return mlen >= 6 && mlen == 6 + 3u * rd16(p + 4);
    case 0x0B: return mlen == 18;
    case 0x0C: return mlen >= 7 && mlen == 7 + p[6];
    case 0x0E: return mlen == 8;
    case 0x0F: return mlen == 4;
#if FW_VCORE
    case 0x10: return mlen == 0;                  /* CORE_QUERY (protocol 1.1) */
#endif
    default: return 0;
  }
}

/* ---- the messages ---- */
static void on_load_image(void) {
  uint32_t offset = rd32(mp), total = rd32(mp + 4);
  uint32_t clen = (uint32_t)mlen - 8, end = offset + clen;
  int over = end < offset || total < end;           /* the chunk ends beyond the total (or wraps) */
  if (streaming && hal_image_loaded()) { fail(M_STREAMING_LOAD); return; }
  if (offset == 0 && (total < 48 || total > 0x4000000u)) { fail(M_IMG_SIZE); return; }
  if (offset == 0) {                                /* offset 0 starts a new buffer, even if refused */
    img_active = 1;
    img_got = 0;
    img_tot = total;
    if (over) { fail(M_IMG_CHUNK); return; }
  } else if (!img_active || offset != img_got || total != img_tot || over) { fail(M_IMG_CHUNK); return; }
  cp_i = 0;
  state = S_LOAD_COPY;
}

/* the chunk into the core's staging memory (bytes beyond it are dropped), FW_SLICE_BYTES per poll;
 * then the next chunk, or the image's commit: with FW_CORE_LOADER its validation and installation by the
 * firmware loader (image_install.c, a job run FW_SLICE_INSTALL staged bytes a poll in S_LOAD_WAIT, so
 * that the link stays served) */
static void load_copy(void) {
  uint32_t offset = rd32(mp), total = rd32(mp + 4);
  uint16_t clen = (uint16_t)(mlen - 8);
  uint32_t i = cp_i, stop = clen - i > FW_SLICE_BYTES ? i + FW_SLICE_BYTES : clen;
  for (; i < stop; i++) {
    uint32_t a = offset + i;
    if (offset < IMG_BYTES && a < IMG_BYTES) hal_img_write(a, mp[8 + i]);
  }
  cp_i = (uint16_t)i;
  if (cp_i < clen) return;
  img_got = offset + clen;
  state = S_IDLE;
  if (img_got != total) { link_q_pop(); return; }   /* more chunks to come */
  img_active = 0;
  if (img_tot > IMG_BYTES) { fail(M_IMG_STAGING); return; }
#if FW_CORE_LOADER
  image_install_start(img_tot);
  installing = 1;
#else
  hal_img_commit(img_tot);
#endif
  state = S_LOAD_WAIT;
}

static void on_set_param(void) {
  uint16_t id = rd16(mp);
  uint32_t v = rd32(mp + 2);
  if (id == 1 && v <= 1) {
    learn = (uint8_t)v;
    hal_set_learn(learn);
    answer(T_STATUS);
  } else if (hal_image_loaded() && ((id == 2 && v <= 0xFFFFFFu) || (id == 3 && v >= 1 && v <= 0xFFFFu))) {
    if (hal_param_write(id, v)) fail(M_PARAM_RANGE);   /* the core refused it (nothing changed) */
    else answer(T_STATUS);
  } else if (!hal_image_loaded() && id != 1) fail(M_PARAM_NO_IMAGE);
  else fail(M_PARAM_RANGE);
}

static uint32_t probe_width(uint8_t pr) {
  uint32_t w = 0;
  for (uint8_t i = 0; i < 3; i++) if (pr & (1u << i)) w += hal_n_outputs();
  if (pr & 8) w += hal_n_neurons();
  return w;
}

static void on_start_stream(void) {
  uint32_t first = rd32(mp);
  uint8_t pr = mp[8];
  if (!hal_image_loaded()) { fail(M_NO_IMAGE); return; }
  if (pr == 0 || pr > 15) { fail(M_PROBES); return; }
  uint32_t w = probe_width(pr);
  if (w > WMAX) { fail(M_PROBES_SIZE); return; }
  if (first != 0 && (no_last || first != last + 1)) { fail(M_START_ORDER); return; }
  if (first == 0 && !no_last) {                     /* a new stream: the core at rest, weights kept */
    hal_core_reset(0);
    no_last = 1;
    hist_clear();
  }
  probes = pr;
  width = (uint16_t)w;
  out_plen = (uint16_t)(10 + 3 * w);
  streaming = 1;
  answer(T_STATUS);
}

static void on_values(void) {                       /* INPUT_FRAME (0x08), TARGET_FRAME (0x09) */
  int tgt = mtype == 0x09;
  uint32_t frame = rd32(mp);
  if (!streaming || !hal_image_loaded()) { fail(tgt ? M_TGT_NOT_STREAMING : M_IN_NOT_STREAMING); return; }
  if (frame != (no_last ? 0 : last + 1)) { fail(M_ORDER); return; }
  uint16_t c = rd16(mp + (tgt ? 4 : 8));
  if (c != (tgt ? hal_n_outputs() : hal_n_stim_inputs())) { fail(M_COUNT); return; }
  const uint8_t *v = mp + (tgt ? 6 : 10);
  for (uint16_t i = 0; i < c; i++, v += 3) {
    uint32_t x = (uint32_t)v[0] | ((uint32_t)v[1] << 8) | ((uint32_t)v[2] << 16);
    if (tgt) hal_target_write(i, x);
    else hal_input_write(i, x);
  }
  if (tgt) { hal_target_commit(); link_q_pop(); return; }
  hal_frame_go(probes);
  state = S_GO_WAIT;
}

/* the outputs are read: if the next message is an INPUT_FRAME that on_values would start (well-formed, the
 * next frame, the right count), the core starts it now, while this frame's OUTPUT_FRAME is finished, kept
 * and sent; the message is then handled (S_GO_WAIT) when it becomes the head. Not while a HELLO waits. */
static void pre_start(void) {
  uint8_t t;
  uint16_t n;
  if (hello_pend || link_q_count() < 2) return;
  const uint8_t *q = link_q_next(&t, &n);
  if (t != 0x08 || n < 10) return;
  uint16_t c = rd16(q + 8);
  if (n != 10 + 3u * c || rd32(q) != rd32(mp) + 1 || c != hal_n_stim_inputs()) return;
  const uint8_t *v = q + 10;
  for (uint16_t i = 0; i < c; i++, v += 3) hal_input_write(i, (uint32_t)v[0] | ((uint32_t)v[1] << 8) | ((uint32_t)v[2] << 16));
  hal_frame_go(probes);
  pre_go = 1;
}

/* the computed frame's OUTPUT_FRAME into the store (FW_SLICE_VALUES values per poll) and the history;
 * 0 while there is no room or values are left */
static int emit_output(void) {
  if (!out_f) {
    out_f = link_store_alloc((uint16_t)(HDR_BYTES + out_plen));
    if (!out_f) return 0;
    out_f[0] = 1;
    out_f[1] = T_OUTPUT;
    wr16(out_f + 9, out_plen);
    for (uint8_t i = 0; i < 8; i++) out_f[HDR_BYTES + i] = mp[i];   /* frame, timeUs: the input's */
    wr16(out_f + HDR_BYTES + 8, width);
    out_vi = 0;
  }
  uint32_t i = out_vi, stop = width - i > FW_SLICE_VALUES ? i + FW_SLICE_VALUES : width;
  for (uint8_t *q = out_f + HDR_BYTES + 10 + 3 * i; i < stop; i++, q += 3) {
    uint32_t v = hal_output_read((uint16_t)i);
    q[0] = (uint8_t)v;
    q[1] = (uint8_t)(v >> 8);
    q[2] = (uint8_t)(v >> 16);
  }
  out_vi = (uint16_t)i;
  if (out_vi < width) return 0;
  pre_start();
  if (!h_skip) {
    hist_write(out_f + HDR_BYTES, out_plen);
    hist_end(out_plen);
  }
  link_store_commit();
  out_f = 0;
  no_last = 0;
  last = rd32(mp);
  return 1;
}

static void on_resend(void) {
  uint32_t from = rd32(mp);
  if (no_last || from > last) { link_q_pop(); return; }   /* nothing to resend */
  uint16_t n = hist_count();
  if (n == 0) { fail(M_HISTORY); err_num = last + 1; return; }
  uint32_t first = last - n + 1;
  if (from < first) { fail(M_HISTORY); err_num = first; return; }
  uint32_t skip = from - first;
  rs_ptr = hist_tail();
  for (uint32_t i = 0; i < skip; i++) rs_ptr = (uint16_t)((rs_ptr + hist_entry_bytes(rs_ptr)) & (HIST_BYTES - 1));
  rs_left = (uint16_t)(n - skip);
  state = S_RESEND;
}

/* one kept entry as an OUTPUT_FRAME, as sent; 0 while there is no room */
static int emit_resend(void) {
  uint16_t plen = hist_entry_bytes(rs_ptr);
  uint8_t *f = link_store_alloc((uint16_t)(HDR_BYTES + plen));
  if (!f) return 0;
  f[0] = 1;
  f[1] = T_OUTPUT;
  wr16(f + 9, plen);
  hist_read(rs_ptr, f + HDR_BYTES, plen);
  link_store_commit();
  rs_ptr = (uint16_t)((rs_ptr + plen) & (HIST_BYTES - 1));
  rs_left--;
  return 1;
}

static void dispatch(void) {
  if (!well_formed()) {
    fail(mtype >= 0x01 && mtype <= FW_LAST_TYPE ? M_MALFORMED : M_UNKNOWN_TYPE);
    return;
  }
  switch (mtype) {
    case 0x01: link_q_pop(); break;                 /* HELLO with SEQ: acknowledged and ignored */
    case 0x03: on_load_image(); break;
    case 0x04: on_set_param(); break;
    case 0x05:
      if (!hal_image_loaded()) { fail(M_NO_IMAGE); break; }
      hal_core_reset(mp[0] == 1);
      streaming = 0;
      at_rest();
      answer(T_STATUS);
      break;
    case 0x06: on_start_stream(); break;
    case 0x07:
      if (hal_image_loaded()) streaming = 0;
      answer(T_STATUS);
      break;
    case 0x08: case 0x09: on_values(); break;
    case 0x0E:
      if (hal_image_loaded() && streaming) streaming = 0;
      answer(T_END);
      break;
    case 0x0F: on_resend(); break;
#if FW_VCORE
    case 0x10: answer(T_CORE_INFO); break;          /* CORE_QUERY: in any state */
#endif
    default: fail(M_NOT_ACCEPTED); break;
  }
}

void session_poll(void) {
  uint8_t mark;
  if (link_hello_take(&mark) && !hello_pend) {
    hello_pend = 1;
    hello_mark = mark;
  }
  switch (state) {
    case S_IDLE:
      if (hello_pend && link_q_popped() == hello_mark) {
        /* every message accepted before the HELLO is processed: HELLO_ACK reports the last frame */
        if (link_ha_busy()) return;                 /* (after the HELLO_ACK on the line) */
        link_hello_ack((uint8_t)((no_last ? 0x80 : 0) | (hal_image_loaded() ? 2 : 0) | booted),
                       hal_image_crc(), last);
        booted = 0;
        hello_pend = 0;
        return;
      }
      if (link_q_count() == 0) return;
      mp = link_q_head(&mtype, &mlen);
      dispatch();
      break;
    case S_LOAD_COPY:
      load_copy();
      break;
    case S_LOAD_WAIT: {
      uint8_t result;
      uint16_t off;
#if FW_CORE_LOADER
      /* the loader refuses an image before it touches the core (the running image stays); an installed
       * one: the core rests (REST, EACT) and then raises img_done (result 0) */
      if (installing) {
        int r = image_install_poll(FW_SLICE_INSTALL, &off);
        if (r == II_BUSY) return;
        installing = 0;
        if (r != 0) { fail_img(r == 1 ? M_IMG_INVALID : M_IMG_CAPACITY, off); break; }
      }
#endif
      if (!hal_img_done(&result, &off)) return;
      if (result == 0) {
        streaming = 0;
        at_rest();
        answer(T_STATUS);
      } else fail_img(result == 1 ? M_IMG_INVALID : M_IMG_CAPACITY, off);
      break;
    }
    case S_GO_WAIT:
      if (!hal_frame_done()) return;
#if FW_VCORE
      if (vcore_core_frame_fault()) { fail(M_CORE_FAULT); break; }
#endif
      /* an entry the history cannot hold is not kept: the history is cleared */
      h_skip = out_plen >= HIST_BYTES;
      if (h_skip) hist_clear();
      else hist_begin(out_plen);
      state = S_OUTPUT;
      /* fall through */
    case S_OUTPUT:
      if (!emit_output()) return;
      link_q_pop();
      state = S_IDLE;
      if (pre_go) {                             /* the next INPUT_FRAME computes already */
        pre_go = 0;
        mp = link_q_head(&mtype, &mlen);
        state = S_GO_WAIT;
        return;
      }
      break;
    case S_RESEND:                              /* one frame per poll */
      if (rs_left && !emit_resend()) return;
      if (rs_left) return;
      link_q_pop();
      state = S_IDLE;
      break;
    default: break;
  }
  if (state == S_ANSWER && emit_answer()) {
    link_q_pop();
    state = S_IDLE;
  }
}

#if FW_CORE_LOADER
/* the firmware loader, compiled with the session (one translation unit, last: its macros stay its own), so
 * that every build of the firmware links the same list of sources (its parameters: above). */
#include "image_install.c"
#endif
