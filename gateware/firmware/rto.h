/* rto.h: the retransmission timeout of docs/protocol.md 4.7.1 rule 4 (RFC 6298), exactly as
 * gateware/rto_estimator.v computes it: SRTT and RTTVAR in ms with 3 fractional bits (truncating). */
#ifndef FW_RTO_H
#define FW_RTO_H
#include <stdint.h>
void rto_reset(void);
void rto_sample(uint16_t rtt_ms);
uint16_t rto_ms(void);
#endif
