/* link.c: see link.h. The behaviour is that of the RTL (gateware/link_rx.v, link_tx.v and friends),
 * event by event; the comments name the RTL's registers where the correspondence helps. */
#include "link.h"
#include "hal.h"
#include "rto.h"

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24); }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { wr16(p, (uint16_t)v); wr16(p + 2, (uint16_t)(v >> 16)); }

/* ---------------- receive side (link_rx, rx_queue) ---------------- */
static uint8_t session_open;
static uint16_t expected;               /* the host's next seq */
static uint32_t nonce;
static uint8_t q_mem[RX_WINDOW][3 + MAX_PAYLOAD];   /* entry: type, length (LE), payload */
static uint8_t q_wr, q_rd;              /* pushes, pops (mod 256) */
static uint8_t q_wi, q_ri;              /* their entries (mod RX_WINDOW: no division on an rv32i) */
static uint8_t hello_flag, hello_mark;
static uint16_t max_len;                /* line_time: the largest payload received */
static uint8_t len_seen;
static uint16_t lmax_ms;
static uint16_t idle_ms;                /* idle_timer: ms without a byte from the host */

/* ---------------- send side (link_tx) ---------------- */
static uint8_t ring[RING_BYTES];
static uint16_t s_base[STORE_SLOTS], s_len[STORE_SLOTS];
static uint16_t head, alloc_base, alloc_len;
static uint16_t next_seq, admit_seq, peer_ack, send_seq, peer_credits, sent_hi;
static uint8_t retries, fast_rtx;
static uint8_t timer_on;
static uint16_t timer_at;
static uint8_t timed_on;
static uint16_t timed_seq, rtt_ms;
static uint8_t ack_due, ack_now, gap_due, ack_timing, ack_cnt, probe_due, prev_credits;
static uint8_t inflight, cur_unseq, cur_stale, cur_kind, cur_first;
static uint16_t cur_seq, cur_base, cur_len;      /* the sequenced frame on the line: its bytes in the ring */
static uint8_t ha_pend, ns_pend;
static uint8_t l_haf;                   /* HELLO_ACK snapshot: flags, image CRC, last frame */
static uint32_t l_hac, l_hal;
static uint8_t ubuf[HDR_BYTES + 35 + (sizeof(BOARD_ID) - 1 > 3 ? sizeof(BOARD_ID) - 1 : 3)];
static uint8_t fail_now;

enum { K_ACK = 0, K_HELLO_ACK = 1, K_NO_SESSION = 2 };
static const char ns_text[] = "no session: send HELLO first";

static uint8_t credits(void) {
  uint8_t held = (uint8_t)(q_wr - q_rd);
  return held >= RX_WINDOW ? 0 : (uint8_t)(RX_WINDOW - held);
}

/* both directions restart at 0, nothing pending; the frames stored are dropped */
static void tx_restart(uint16_t credits_now) {
  next_seq = admit_seq = peer_ack = send_seq = 0;
  peer_credits = credits_now;
  retries = 0; fast_rtx = 0; timer_on = 0; timed_on = 0; sent_hi = 0;
  ack_due = ack_now = ack_timing = gap_due = probe_due = 0;
  if (inflight) cur_stale = 1;
}

static void end_session(void) {
  session_open = 0;
  expected = 0;
  tx_restart(1);
}

void link_init(void) {
  session_open = 0; expected = 0; nonce = 0; q_wr = q_rd = 0; q_wi = q_ri = 0; hello_flag = 0; hello_mark = 0;
  max_len = 0; len_seen = 0; lmax_ms = 0; idle_ms = 0;
  head = alloc_base = alloc_len = 0;
  inflight = 0; cur_unseq = 1; cur_stale = 0; cur_kind = 0; cur_first = 0; cur_seq = 0;
  tx_restart(1);
  prev_credits = RX_WINDOW;
  ha_pend = 1;                          /* power-up: an unsolicited HELLO_ACK with booted = 1 (9.1) */
  ns_pend = 0;
  l_haf = 0x81; l_hac = 0; l_hal = 0xFFFFFFFFu;
  fail_now = 0;
  rto_reset();
}

/* ---- line_time: L(largest frame received) of 4.7.1 rule 5, ms (COBS overhead bounded by n/128) ---- */
static void line_seen(uint16_t len) {
  if (len_seen && len <= max_len) return;
  max_len = len;
  len_seen = 1;
  uint32_t bytes = (uint32_t)max_len + 17 + (max_len >> 7) + ((max_len & 127) >= 113);
  uint32_t prod = bytes * BYTE_MS_Q16;
  lmax_ms = (uint16_t)((prod >> 16) + ((prod & 0xFFFF) != 0));
}

/* ---- acknowledgement requests ---- */
static void ack_sched(void) {
  if (!ack_timing) { ack_timing = 1; ack_cnt = ACK_DELAY_MS; }
  ack_due = 1;
}
static void ack_urgent(void) { ack_due = 1; ack_now = 1; }
static void ack_gap(void) { ack_due = 1; ack_now = 1; gap_due = 1; }

/* ---- acknowledgement fields received (4.4) ---- */
static void ack_in(uint16_t ack, uint16_t cred, int gap) {
  uint16_t in_fl = (uint16_t)(admit_seq - peer_ack);
  uint16_t adv = (uint16_t)(ack - peer_ack);
  if (adv > in_fl) return;                          /* outside what was sent: ignored */
  if (adv != 0) {
    if (timed_on && (uint16_t)(timed_seq - peer_ack) < adv) {   /* the timed frame is acknowledged */
      rto_sample(rtt_ms);
      timed_on = 0;
    }
    uint16_t snd_ahead = (uint16_t)(send_seq - peer_ack);
    uint16_t snd_after = (uint16_t)(send_seq - ack);
    peer_ack = ack;
    fast_rtx = 0;
    retries = 0;
    /* the new oldest frame's timer restarts now if it was sent (else when its transmission ends) */
    timer_on = adv != in_fl && snd_after != 0 && snd_after < 0x8000u &&
               !(inflight && !cur_unseq && cur_seq == ack);
    timer_at = hal_now_ms();
    if (snd_ahead < adv) send_seq = peer_ack;       /* go-back-N had not reached it yet */
  } else if (gap && in_fl != 0 && !fast_rtx) {
    fast_rtx = 1;                                   /* fast retransmission, once per gap */
    send_seq = peer_ack;
    timer_on = 0;
    timed_on = 0;
  }
  peer_credits = cred;
}

/* ---- one received frame (link_rx) ---- */
static void rx_frame(const uint8_t *f, int n) {
  if (n < HDR_BYTES) return;
  uint8_t ver = f[0], type = f[1], flags = f[2];
  uint16_t seq = rd16(f + 3), len = rd16(f + 9);
  if (len > MAX_PAYLOAD || HDR_BYTES + len > n) return;   /* (frame_rx delivers 11 + len bytes) */
  line_seen(len);
  if (ver != 1 && type != 0x01 && type != 0x02) return;    /* wrong version: dropped silently */
  if (flags & FLAG_ACK) ack_in(rd16(f + 5), rd16(f + 7), (flags & FLAG_GAP) != 0);
  if (flags & FLAG_PROBE) ack_urgent();
  if (!(flags & FLAG_SEQ)) {
    if (type == 0x01 && len >= 9 && len - 9 == f[HDR_BYTES + 8]) {   /* HELLO: length = 9 + id length */
      const uint8_t *p = f + HDR_BYTES;
      uint16_t window = rd16(p + 2);
      uint32_t hn = rd32(p + 4);
      hello_flag = 1;
      hello_mark = q_wr;
      if (!session_open || hn != nonce) {          /* a new session: both directions restart */
        session_open = 1;
        nonce = hn;
        expected = 0;
        tx_restart(window == 0 ? 1 : window);
        rto_reset();
      }
    }
    return;                                         /* ACK and other unsequenced frames end here */
  }
  if (!session_open) { ns_pend = 1; return; }
  if (seq != expected) {
    if ((uint16_t)(expected - seq) < 0x8000u) ack_urgent();   /* duplicate */
    else ack_gap();                                            /* a frame before it was lost */
    return;
  }
  if (credits() == 0) { ack_urgent(); return; }     /* the sender ignored the credits */
  expected++;
  ack_sched();
  uint8_t *e = q_mem[q_wi];
  e[0] = type;
  wr16(e + 1, len);
  const uint8_t *src = f + HDR_BYTES, *stop = src + len;
  for (uint8_t *dst = e + 3; src != stop;) *dst++ = *src++;   /* (pointers: ~5 RV32I instructions a byte) */
  q_wr++;
  q_wi = q_wi + 1 == RX_WINDOW ? 0 : (uint8_t)(q_wi + 1);
}

void link_rx_poll(void) {
  unsigned ev = hal_rx_events();
  if (ev & HAL_EV_ACTIVITY) idle_ms = 0;
  if (ev & (HAL_EV_REJECT | HAL_EV_OVERRUN)) ack_sched();
  const uint8_t *f;
  int n = hal_rx_frame(&f);
  if (n >= 0) {
    rx_frame(f, n);
    hal_rx_release();
  }
}

uint8_t link_q_count(void) { return (uint8_t)(q_wr - q_rd); }
const uint8_t *link_q_head(uint8_t *type, uint16_t *len) {
  const uint8_t *e = q_mem[q_ri];
  *type = e[0];
  *len = rd16(e + 1);
  return e + 3;
}
const uint8_t *link_q_next(uint8_t *type, uint16_t *len) {
  const uint8_t *e = q_mem[q_ri + 1 == RX_WINDOW ? 0 : q_ri + 1];
  *type = e[0];
  *len = rd16(e + 1);
  return e + 3;
}
void link_q_pop(void) {
  q_rd++;
  q_ri = q_ri + 1 == RX_WINDOW ? 0 : (uint8_t)(q_ri + 1);
}
uint8_t link_q_popped(void) { return q_rd; }
int link_hello_take(uint8_t *mark) {
  if (!hello_flag) return 0;
  hello_flag = 0;
  *mark = hello_mark;
  return 1;
}

/* ---------------- timers: once per ms ---------------- */
void link_tick(uint16_t now) {
  /* idle timeout (idle_timer) */
  if (!session_open) idle_ms = 0;
  else if (++idle_ms >= IDLE_MS) { idle_ms = 0; end_session(); }
  if (timed_on) rtt_ms++;
  /* delayed acknowledgement: 1-2 ticks */
  if (ack_timing) {
    if (ack_cnt <= 1) { ack_timing = 0; ack_now = 1; }
    else ack_cnt--;
  }
  uint16_t in_fl = (uint16_t)(admit_seq - peer_ack);
  uint16_t elapsed = (uint16_t)(now - timer_at);
  uint8_t shift = retries > 3 ? 3 : retries;
  uint16_t rto = rto_ms();
  /* window probe: frames wait, none unacknowledged, window closed: every RTO from the moment it closed */
  if (session_open && next_seq != admit_seq && in_fl == 0) {
    if ((uint16_t)(elapsed >> shift) >= rto) { timer_at = now; probe_due = 1; }
  }
  /* retransmission timer (4.7.1 rules 5, 6): min(min(RTO * 2**min(3, r), 60000) + L, 65000) */
  if (session_open && timer_on) {
    int32_t e = (int32_t)elapsed - (int32_t)lmax_ms;
    int out = elapsed >= 65000u || (e >= 0 && (e >= 60000 || (uint16_t)((uint32_t)e >> shift) >= rto));
    if (out) {
      if (retries + 1 > MAX_RETRIES) fail_now = 1;
      else {
        retries++;
        send_seq = peer_ack;                        /* go-back-N */
        timer_on = 0;
        timed_on = 0;
      }
    }
  }
  if (fail_now) { fail_now = 0; end_session(); }
}

/* ---------------- the transmitter ---------------- */
static uint8_t unseq_build(uint8_t kind) {
  uint8_t *p = ubuf + HDR_BYTES;
  uint16_t plen = 0;
  ubuf[0] = 1;
  if (kind == K_HELLO_ACK) {
    ubuf[1] = 0x02;
    p[0] = 1; p[1] = FW_PROTO_MINOR;
    wr16(p + 2, CAP_MAX_NEURONS);
    wr32(p + 4, CAP_MAX_SYNAPSES);
    wr16(p + 8, CAP_MAX_INPUTS);
    wr16(p + 10, CAP_MAX_OUTPUTS);
    p[12] = 16; p[13] = 28;                         /* signal and weight fraction bits */
    wr32(p + 14, CAP_MAX_FRAME_RATE);
    wr16(p + 18, RX_WINDOW);
    wr16(p + 20, MAX_PAYLOAD);
    p[22] = l_haf & 3;                              /* booted, imageLoaded */
    wr32(p + 23, l_hac);
    wr32(p + 27, l_hal);
    p[31] = (uint8_t)(sizeof(BOARD_ID) - 1);
    for (uint16_t i = 0; i < sizeof(BOARD_ID) - 1; i++) p[32 + i] = (uint8_t)BOARD_ID[i];
    plen = 32 + sizeof(BOARD_ID) - 1;
  } else if (kind == K_NO_SESSION) {
    ubuf[1] = 0x0C;
    wr16(p, 9);                                     /* NO_SESSION */
    wr32(p + 2, 0xFFFFFFFFu);                       /* NO_FRAME */
    p[6] = sizeof(ns_text) - 1;
    for (uint16_t i = 0; i < sizeof(ns_text) - 1; i++) p[7 + i] = (uint8_t)ns_text[i];
    plen = 7 + sizeof(ns_text) - 1;
  } else {
    ubuf[1] = 0x0D;
  }
  wr16(ubuf + 9, plen);
  return (uint8_t)(HDR_BYTES + plen);
}

void link_tx_poll(void) {
  uint8_t cr = credits();
  if (prev_credits == 0 && cr != 0) ack_urgent();  /* the window reopened: tell the host at once */
  prev_credits = cr;
  /* admission: waiting frames get the window the peer's credits allow */
  while (next_seq != admit_seq && (uint16_t)(admit_seq - peer_ack) < peer_credits) admit_seq++;
  /* the window probe's and the idle retransmission timer's reference */
  if (!(session_open && next_seq != admit_seq && admit_seq == peer_ack) && !timer_on) timer_at = hal_now_ms();
  if (inflight) {
    if (hal_tx_busy()) return;
    inflight = 0;
    if (!cur_unseq && !cur_stale) {
      if (cur_seq == peer_ack) { timer_on = 1; timer_at = hal_now_ms(); }   /* the oldest: its timer starts */
      if (cur_first && !timed_on) { timed_on = 1; timed_seq = cur_seq; rtt_ms = 0; }   /* Karn: sent once */
    }
  }
  int want_seq = session_open && send_seq != admit_seq;
  int want_ack = (ack_now && ack_due) || probe_due;
  if (!(ha_pend || ns_pend || want_seq || want_ack)) return;
  uint8_t flags;
  const uint8_t *data;
  uint16_t len;
  uint16_t seq;
  if (ha_pend || ns_pend || !want_seq) {
    uint8_t kind = ha_pend ? K_HELLO_ACK : ns_pend ? K_NO_SESSION : K_ACK;
    flags = (uint8_t)(FLAG_ACK | (gap_due ? FLAG_GAP : 0) | (kind == K_ACK && probe_due ? FLAG_PROBE : 0));
    if (ha_pend) ha_pend = 0;
    else if (ns_pend) ns_pend = 0;
    else probe_due = 0;
    cur_unseq = 1;
    cur_kind = kind;
    len = unseq_build(kind);
    data = ubuf;
    seq = 0;
  } else {
    uint8_t slot = send_seq & (STORE_SLOTS - 1);
    flags = (uint8_t)(FLAG_SEQ | FLAG_ACK | (gap_due ? FLAG_GAP : 0));
    cur_unseq = 0;
    cur_seq = send_seq;
    cur_first = send_seq == sent_hi;
    if (cur_first) sent_hi++;
    seq = send_seq;
    send_seq++;
    data = ring + s_base[slot];
    len = s_len[slot];
    cur_base = s_base[slot];
    cur_len = len;
  }
  /* bytes 2..8 of every frame at its (re)transmission: flags, seq, the current ack and credits */
  uint8_t *h = (uint8_t *)data;
  h[2] = flags;
  wr16(h + 3, seq);
  wr16(h + 5, expected);
  wr16(h + 7, cr);
  gap_due = 0;
  ack_due = 0;
  ack_now = 0;
  cur_stale = 0;
  inflight = 1;
  hal_tx_start(data, len);
}

int link_ha_busy(void) { return ha_pend || (inflight && cur_unseq && cur_kind == K_HELLO_ACK); }
void link_hello_ack(uint8_t flags, uint32_t crc, uint32_t last) {
  ha_pend = 1;
  l_haf = flags;
  l_hac = (flags & 2) ? crc : 0;                    /* CRC 0 without an image */
  l_hal = (flags & 0x80) ? 0xFFFFFFFFu : last;      /* NO_FRAME before a frame was computed */
}

/* ---------------- the retransmission store ---------------- */
uint8_t *link_store_alloc(uint16_t flen) {
  uint16_t stored = (uint16_t)(next_seq - peer_ack);
  uint16_t base;
  if (stored >= STORE_SLOTS) return 0;
  if (stored == 0) base = (uint16_t)(head + flen <= RING_BYTES ? head : 0);
  else {
    /* frames are contiguous in the ring; the oldest unacknowledged one begins at tail */
    uint16_t tail = s_base[peer_ack & (STORE_SLOTS - 1)];
    if (head >= tail) {
      if (head + flen <= RING_BYTES) base = head;
      else if (flen < tail) base = 0;
      else return 0;
    } else if (head + flen < tail) base = head;
    else return 0;
  }
  /* frame_tx reads the frame on the line from the ring until it is sent: never write over it */
  if (inflight && !cur_unseq && base < cur_base + cur_len && cur_base < base + flen) return 0;
  alloc_base = base;
  alloc_len = flen;
  return ring + base;
}

void link_store_commit(void) {
  if (!session_open) return;                        /* without a session the answer is dropped */
  uint8_t slot = next_seq & (STORE_SLOTS - 1);
  s_base[slot] = alloc_base;
  s_len[slot] = alloc_len;
  head = (uint16_t)(alloc_base + alloc_len);
  next_seq++;
}

int link_session_open(void) { return session_open; }
uint16_t link_rto(void) { return rto_ms(); }
