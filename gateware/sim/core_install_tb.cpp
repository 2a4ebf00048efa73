// core_install_tb: Verilator testbench that shows what nla_core's loader (nla_core_load.vh) installs.
// Built with --public-flat-rw (no source change: the memories and registers are read hierarchically) by
// test/gateware/core-install-tb.ts. Script on stdin, one command a line:
//   I <hex bytes>   stage an image through img_wr_*, commit, wait img_done; prints
//                   "R <result> <errOffset> <loaded> <crc>", and when installed (result 0) the dump:
//                   "G a_steps a_iters a_relax a_beta a_nin a_nst a_nn a_no a_nproj a_crc a_nsyn j_pre j_pg j_lrn"
//                   (decimal; j_*: bit j = projection j's flag), "A <aw_mem words>" (64-bit hex),
//                   "B <fb_mem words>" (24-bit hex), "W <nla_wmem words>" (32-bit hex, all 16K)
//   X               reset the core (rst), as after power-up
// Every wait is bounded; a timeout prints "E timeout" and exits 1.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include "Vnla_core.h"
#include "Vnla_core___024root.h"
#include "verilated.h"

static Vnla_core* top;

static void tick() {
  top->clk = 0;
  top->eval();
  top->clk = 1;
  top->eval();
  top->img_wr_en = 0; top->img_commit = 0; top->core_reset = 0; top->param_we = 0;
  top->in_we = 0; top->tgt_we = 0; top->tgt_commit = 0; top->frame_go = 0; top->out_rd_req = 0;
}

static void reset() {
  top->rst = 1;
  tick(); tick();
  top->rst = 0;
  tick();
}

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  top = new Vnla_core;
  reset();
  Vnla_core___024root* r = top->rootp;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::istringstream in(line);
    char cmd;
    in >> cmd;
    if (cmd == 'X') { reset(); continue; }
    if (cmd != 'I') continue;
    std::string hex;
    in >> hex;
    size_t n = hex.size() / 2;
    for (size_t i = 0; i < n; i++) {
      top->img_wr_en = 1;
      top->img_wr_addr = (unsigned)i;
      top->img_wr_data = (unsigned)std::strtoul(hex.substr(2 * i, 2).c_str(), nullptr, 16);
      tick();
    }
    top->img_commit = 1;
    top->img_total = (unsigned)n;
    tick();
    unsigned long long k = 0;
    while (!top->img_done) {
      if (++k > 50000000ULL) { std::printf("E timeout\n"); std::fflush(stdout); return 1; }
      tick();
    }
    std::printf("R %d %d %d %u\n", top->img_result, top->img_err_offset, top->image_loaded, top->image_crc);
    if (top->img_result == 0) {
      unsigned jp = 0, jg = 0, jl = 0;
      for (int j = 0; j < 8; j++) {
        jp |= (unsigned)(r->nla_core__DOT__j_pre[j] & 1) << j;
        jg |= (unsigned)(r->nla_core__DOT__j_pg[j] & 1) << j;
        jl |= (unsigned)(r->nla_core__DOT__j_lrn[j] & 1) << j;
      }
      std::printf("G %u %u %u %u %u %u %u %u %u %u %u %u %u %u\n", r->nla_core__DOT__a_steps, r->nla_core__DOT__a_iters,
                  r->nla_core__DOT__a_relax, r->nla_core__DOT__a_beta, r->nla_core__DOT__a_nin, r->nla_core__DOT__a_nst,
                  r->nla_core__DOT__a_nn, r->nla_core__DOT__a_no, r->nla_core__DOT__a_nproj, r->nla_core__DOT__a_crc,
                  r->nla_core__DOT__a_nsyn, jp, jg, jl);
      std::printf("A");
      for (int a = 0; a < 256; a++) std::printf(" %llx", (unsigned long long)r->nla_core__DOT__aw_mem[a]);
      std::printf("\nB");
      for (int a = 0; a < 256; a++) std::printf(" %x", (unsigned)r->nla_core__DOT__fb_mem[a]);
      std::printf("\nW");
      for (int a = 0; a < 16384; a++)
        std::printf(" %x", ((unsigned)r->nla_core__DOT__wmem__DOT__hi__DOT__mem[a] << 16) | r->nla_core__DOT__wmem__DOT__lo__DOT__mem[a]);
      std::printf("\n");
    }
    std::fflush(stdout);
    tick();
  }
  top->final();
  delete top;
  return 0;
}
