// vcore_coreio_tb.cpp: Verilator testbench of the vector core behind its register window
// (gateware/sim/vcore_coreio_top.v), driven by test/fixed-point/vcore-coreio.test.ts. It replays, on stdin, the
// register accesses the firmware's HAL made (hardware-models/fixed-point/vcore-mmio.ts MmioPort) against the model
// of the same window, one a line (hex):
//   w idx value      a store: acc/we/idx/wdata for one cycle, then two idle cycles (a soft processor's spacing)
//   r idx value      a load: idx held two cycles, then rdata must equal value
//   p                a STATUS poll loop: loads STATUS every 3 cycles until done (bit 0) or trap (bit 2)
// stdout: "R line idx want got" (a load differs), "T line pc" (the core trapped), "H line" (no halt within the
// cycle bound), "D line cycles" per run (the core's cycle counter), "C cycles" (every cycle simulated, for the
// co-simulation speed), "END bad".
#include "Vvcore_coreio_top.h"
#include "verilated.h"
#include <cstdint>
#include <cstdio>

namespace {
Vvcore_coreio_top* m;
unsigned long long ticks = 0;
void tick() {
    ticks++;
    m->clk = 1;
    m->eval();
    m->clk = 0;
    m->eval();
}
void store(unsigned idx, uint32_t v) {
    m->acc = 1;
    m->we = 1;
    m->idx = idx;
    m->wdata = v;
    tick();
    m->acc = 0;
    m->we = 0;
    tick();
    tick();
}
uint32_t load(unsigned idx) {
    m->idx = idx;
    tick();
    tick();
    m->acc = 1;
    m->eval();
    const uint32_t v = m->rdata;
    tick();
    m->acc = 0;
    return v;
}
}  // namespace

int main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    m = new Vvcore_coreio_top;
    m->rst = 1;
    tick();
    tick();
    m->rst = 0;
    char op;
    unsigned idx;
    uint32_t v;
    long line = 0, bad = 0;
    while (scanf(" %c", &op) == 1) {
        line++;
        if (op == 'w' && scanf("%x %x", &idx, &v) == 2) store(idx, v);
        else if (op == 'r' && scanf("%x %x", &idx, &v) == 2) {
            const uint32_t got = load(idx);
            if (got != v) {
                printf("R %ld %u %08x %08x\n", line, idx, v, got);
                if (++bad > 20) break;
            }
        } else if (op == 'p') {
            long n = 0;
            uint32_t s = 0;
            for (; n < 50000000; n += 3) {
                s = load(17);
                if (s & 5) break;
            }
            if (s & 4) {
                printf("T %ld %u\n", line, (s >> 16) & 0x3ff);
                bad++;
                break;
            }
            if (!(s & 1)) {
                printf("H %ld\n", line);
                bad++;
                break;
            }
            printf("D %ld %u\n", line, m->cycles);  /* the counter restarts at each run */
        } else {
            printf("bad line %ld\n", line);
            bad++;
            break;
        }
    }
    printf("C %llu\n", ticks);
    printf("END %ld\n", bad);
    delete m;
    return bad ? 1 : 0;
}
