/* rto.c: see rto.h. First sample R: SRTT = R, RTTVAR = R/2; later RTTVAR = RTTVAR - RTTVAR/4 + |SRTT - R|/4,
 * SRTT = SRTT - SRTT/8 + R/8 (each term truncated in 1/8 ms, as the bit-serial update of the RTL does);
 * RTO = max(T_MIN_MS, ceil(SRTT + max(1 ms, 4 RTTVAR))), at most 60000. */
#include "rto.h"
#include "config.h"

static uint32_t srtt_q3, rttvar_q3;
static uint8_t have;

void rto_reset(void) {
  srtt_q3 = 0;
  rttvar_q3 = 0;
  have = 0;
}

void rto_sample(uint16_t r) {
  uint32_t r_q3 = (uint32_t)r << 3;
  if (!have) {
    srtt_q3 = r_q3;
    rttvar_q3 = r_q3 >> 1;
    have = 1;
    return;
  }
  uint32_t d = srtt_q3 >= r_q3 ? srtt_q3 - r_q3 : r_q3 - srtt_q3;
  rttvar_q3 = (rttvar_q3 - (rttvar_q3 >> 2) + (d >> 2)) & 0xFFFFFu;
  srtt_q3 = (srtt_q3 - (srtt_q3 >> 3) + r) & 0xFFFFFu;
}

uint16_t rto_ms(void) {
  if (!have) return T_MIN_MS;
  uint32_t v4 = rttvar_q3 << 2;
  uint32_t q3 = srtt_q3 + (v4 > 8 ? v4 : 8);
  uint32_t ms = (q3 >> 3) + ((q3 & 7) != 0);
  if (ms > 60000) return 60000;
  if (ms < T_MIN_MS) return T_MIN_MS;
  return (uint16_t)ms;
}
