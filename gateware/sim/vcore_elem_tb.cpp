// vcore_elem_tb.cpp: Verilator testbench of gateware/vcore/vcore_elem.v, one element a cycle (the same stimulus as
// the iverilog bench gateware/sim/vcore_elem_tb.v). stdin: one element a line, "a x xsub y ysub ctl k" in hex
// (48-bit two's complement operands; xsub unused: the unit has no pre-adder on X; ctl: the control word, bits as
// in vcore_elem_tb.v; k: the factor's mantissa).
// stdout: "<out, 48-bit hex> <inc>" per element (bubbles, ctl bit 31, issue nothing), then "END".
#include "Vvcore_elem.h"
#include "verilated.h"
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace {
struct Elem {
    uint64_t a, x, xsub, y, ysub, ctl, k;
};
const uint64_t M42 = (uint64_t(1) << 42) - 1;
const uint64_t M48 = (uint64_t(1) << 48) - 1;
inline unsigned bits(uint64_t v, int lo, int n) { return unsigned((v >> lo) & ((uint64_t(1) << n) - 1)); }
}  // namespace

int main(int argc, char** argv) {
    Verilated::commandArgs(argc, argv);
    std::vector<Elem> in;
    Elem e;
    while (std::scanf("%" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64, &e.a, &e.x,
                      &e.xsub, &e.y, &e.ysub, &e.ctl, &e.k) == 7)
        in.push_back(e);
    Vvcore_elem* m = new Vvcore_elem;
    m->clk = 0;
    m->in_valid = 0;
    m->eval();
    const size_t n = in.size();
    size_t got = 0, nv = 0;
    for (const Elem& v : in) nv += !bits(v.ctl, 31, 1);
    // A enters two cycles after the element's other operands (the core reads it late)
    for (size_t i = 0; got < nv && i < n + 16; i++) {
        m->in_valid = i < n && !bits(in[i].ctl, 31, 1);
        if (i < n) {
            const Elem& v = in[i];
            const uint64_t c = v.ctl;
            m->x = uint32_t(v.x);
            m->y = v.y & M42;
            m->ysub = uint32_t(v.ysub);
            m->kmant = bits(v.k, 0, 15);
            m->a_en = bits(c, 0, 1);
            m->mac = bits(c, 1, 1);
            m->epi = bits(c, 6, 1);
            m->epi_fwd = bits(c, 32, 1);
            m->y_lo = bits(c, 7, 1);
            m->y_hi = bits(c, 26, 1);
            m->p_en = bits(c, 2, 1);
            m->p_neg = bits(c, 3, 1);
            m->x_k = bits(c, 4, 1);
            m->x_one = bits(c, 5, 1);
            m->x_clip = bits(c, 8, 1);
            m->x_sl = bits(c, 9, 4) != 0;
            m->y_shl8 = bits(c, 13, 1);
            m->y_sub_en = bits(c, 14, 1);
            m->y_clip = bits(c, 15, 1);
            m->ys = bits(c, 16, 4);
            m->u = bits(c, 20, 6);
            m->clamp = bits(c, 27, 3);
            m->count = bits(c, 30, 1);
        }
        if (i >= 2 && i - 2 < n) m->a = in[i - 2].a & M42;
        m->clk = 1;
        m->eval();
        if (m->out_valid) {
            uint64_t o = m->out;
            if ((o >> 41) & 1) o |= ~M42;
            std::printf("%012" PRIx64 " %u\n", o & M48, unsigned(m->inc));
            got++;
        }
        m->clk = 0;
        m->eval();
    }
    std::printf("END\n");
    m->final();
    delete m;
    return got == nv ? 0 : 1;
}
