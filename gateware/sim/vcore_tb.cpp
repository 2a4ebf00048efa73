// vcore_tb.cpp: Verilator testbench of gateware/vcore/vcore.v (the sequencer around vcore_elem), driven by
// test/fixed-point/vcore-rtl.test.ts. stdin, whitespace-separated commands (numbers decimal unless said):
//   P addr w0 w1 w2 w3      program word (w0 = bits 31:0; hex)
//   K idx mant              a K register's mantissa
//   Q sel value             loop count: 0 steps per frame, 1 iterations
//   M bank word value       a host write to a bank (signed)
//   W idx value             a word of the W memory (signed 32 bits; idx 0..16383: the weights, the activations'
//                           knot words at 8192 + i and clip tops at 16352 + k, written at install)
//   S value                 the saturation counter
//   R pc learn frame        start at pc; run until HALT. ACT runs in the RTL; only PLAS's chain mode traps. Each trap reads
//     T pc nchk nwchk nwr nww sat  + nchk × (bank word want) + nwchk × (idx want) + nwr × (bank word value)
//       + nww × (idx value) + sat
//   (the bank words and weights to compare before the trapped instruction, the machine's saturation count then, the
//   bank words and weights the instruction wrote, then the count after it), then resumes; at HALT it reads
//     H nchk nwchk sat  + nchk × (bank word want) + nwchk × (idx want)
// stdout: "C frame pc want" (a trap at the wrong pc, or a halt where a trap was due), "X frame pc bank word want got"
// (a word differs), "V frame pc idx want got" (a weight differs), "Y frame pc want got" (the saturation counter
// differs), "D frame cycles traps" per run, "END bad".
#include "Vvcore.h"
#include "verilated.h"
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {
Vvcore* m;
const int D = 42;
const uint64_t MD = (uint64_t(1) << D) - 1;

void tick() {
    m->clk = 1;
    m->eval();
    m->clk = 0;
    m->eval();
}
int64_t rd(int bank, int word) {
    m->host_bank = bank;
    m->host_addr = word;
    tick();
    uint64_t v = m->host_rdata & MD;
    if ((v >> (D - 1)) & 1) v |= ~MD;
    return int64_t(v);
}
void wr(int bank, int word, int64_t v) {
    m->host_bank = bank;
    m->host_addr = word;
    m->host_wdata = uint64_t(v) & MD;
    m->host_we = 1;
    m->host_lane = 3;
    tick();
    m->host_we = 0;
}
int32_t wrd(int idx) {
    m->w_addr = idx;
    tick();
    return int32_t(m->w_rdata);
}
void wwr(int idx, int64_t v) {
    m->w_addr = idx;
    m->w_wdata = uint32_t(v);
    m->w_we = 1;
    tick();
    m->w_we = 0;
}
long long num() {
    long long v;
    if (std::scanf("%lld", &v) != 1) {
        std::printf("Z input\n");
        std::exit(2);
    }
    return v;
}
char cmd() {
    char c;
    if (std::scanf(" %c", &c) != 1) return 0;
    return c;
}
int bad = 0;
/** nw weights compared with W. */
void wchecks(long frame, long pc, long nw) {
    for (long j = 0; j < nw; j++) {
        const int idx = int(num());
        const long long want = num();
        const int32_t got = wrd(idx);
        if (got != want) {
            if (bad < 40) std::printf("V %ld %ld %d %lld %d\n", frame, pc, idx, want, got);
            bad++;
        }
    }
}
/** nchk words compared with the banks, then the saturation counter. */
void checks(long frame, long pc, long nchk, long long want_sat) {
    for (long j = 0; j < nchk; j++) {
        const int bank = int(num());
        const int word = int(num());
        const long long want = num();
        const int64_t got = rd(bank, word);
        if (got != want) {
            if (bad < 40) std::printf("X %ld %ld %d %d %lld %" PRId64 "\n", frame, pc, bank, word, want, got);
            bad++;
        }
    }
    if (int64_t(m->sat) != want_sat) {
        if (bad < 40) std::printf("Y %ld %ld %lld %u\n", frame, pc, want_sat, unsigned(m->sat));
        bad++;
    }
}
}  // namespace

int main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    m = new Vvcore;
    m->clk = 0;
    m->eval();
    for (int j = 0; j < 4; j++) tick();
    for (char c = cmd(); c; c = cmd()) {
        switch (c) {
            case 'P': {
                // the program memory is an SPRAM written 16 bits at a time: 8 halfwords an instruction
                unsigned pa = unsigned(num());
                for (int j = 0; j < 4; j++) {
                    unsigned w;
                    if (std::scanf("%x", &w) != 1) return 2;
                    for (int h = 0; h < 2; h++) {
                        m->prog_addr = pa * 8 + unsigned(2 * j + h);
                        m->prog_wdata = (w >> (16 * h)) & 0xffff;
                        m->prog_we = 1;
                        tick();
                    }
                }
                m->prog_we = 0;
                break;
            }
            case 'K':
                m->k_addr = unsigned(num());
                m->k_wdata = unsigned(num());
                m->k_we = 1;
                tick();
                m->k_we = 0;
                break;
            case 'Q':
                m->par_sel = unsigned(num());
                m->par_wdata = unsigned(num());
                m->par_we = 1;
                tick();
                m->par_we = 0;
                break;
            case 'M': {
                const int bank = int(num());
                const int word = int(num());
                wr(bank, word, num());
                break;
            }
            case 'W': {
                const int idx = int(num());
                wwr(idx, num());
                break;
            }
            case 'S':
                m->sat_wdata = uint32_t(num());
                m->sat_we = 1;
                tick();
                m->sat_we = 0;
                break;
            case 'R': {
                m->start_pc = unsigned(num());
                m->learn = unsigned(num());
                const long frame = long(num());
                m->start = 1;
                tick();
                m->start = 0;
                long traps = 0;
                uint64_t guard = 0;
                uint32_t cyc = 0;
                for (;;) {
                    if (++guard > 50000000) {
                        std::printf("Z hang frame %ld\n", frame);
                        return 3;
                    }
                    tick();
                    if (m->done) {
                        cyc = m->cycles;
                        break;
                    }
                    if (!m->trap) continue;
                    traps++;
                    if (cmd() != 'T') {
                        std::printf("C %ld %u halt\n", frame, unsigned(m->trap_pc));
                        return 1;
                    }
                    const long pc = long(num());
                    const long nchk = long(num());
                    const long nwchk = long(num());
                    const long nwr = long(num());
                    const long nww = long(num());
                    const long long want_sat = num();
                    if (long(m->trap_pc) != pc) {
                        std::printf("C %ld %u %ld\n", frame, unsigned(m->trap_pc), pc);
                        return 1;
                    }
                    checks(frame, pc, nchk, want_sat);
                    wchecks(frame, pc, nwchk);
                    for (long j = 0; j < nwr; j++) {
                        const int bank = int(num());
                        const int word = int(num());
                        wr(bank, word, num());
                    }
                    for (long j = 0; j < nww; j++) {
                        const int idx = int(num());
                        wwr(idx, num());
                    }
                    m->sat_wdata = uint32_t(num());
                    m->sat_we = 1;
                    tick();
                    m->sat_we = 0;
                    m->resume = 1;
                    tick();
                    m->resume = 0;
                }
                if (cmd() != 'H') {
                    std::printf("C %ld halt trap\n", frame);
                    return 1;
                }
                const long nchk = long(num());
                const long nwchk = long(num());
                const long long want_sat = num();
                checks(frame, -1, nchk, want_sat);
                wchecks(frame, -1, nwchk);
                std::printf("D %ld %u %ld\n", frame, cyc, traps);
                break;
            }
            default:
                std::printf("Z command %c\n", c);
                return 2;
        }
    }
    std::printf("END %d\n", bad);
    m->final();
    delete m;
    return 0;
}
