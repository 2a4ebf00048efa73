// core_tb: Verilator testbench of nla_core driven by a line script on stdin (test/gateware/*.ts).
// Commands (decimal integers unless said):
//   I <hex bytes>            stage an image through img_wr_*, then install it with the firmware loader
//                            (gateware/firmware/image_install.c, compiled in here, against the core's raw
//                            write port and staging read: one cycle a staged byte read and a port write), and
//                            for an installed image wait for img_done (the end of rest); prints
//                            "R <result> <errOffset> <loaded> <crc> <nStim> <nOut> <nNeurons> <cycles>"
//   T <v0> <v1> ...          TARGET_FRAME: tgt_we for each value, then tgt_commit
//   P <id> <value>           SET_PARAM (param_we)
//   Z <restore>              core_reset (restore_weights = restore), waits until idle; prints "Z <cycles>"
//   F <learn> <probes> <v0> ...  INPUT_FRAME: in_we for each value, frame_go, wait frame_done, read every
//                            probe value; prints "O <cycles> <saturations> <frames> <values...>"
// Every wait is bounded; a timeout prints "E timeout <command>" and exits 1.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>
#include "Vnla_core.h"
#include "verilated.h"
#include "../firmware/image_install.h"

static Vnla_core* top;
static unsigned long long cycles = 0;

static void tick() {
  top->clk = 0;
  top->eval();
  top->clk = 1;
  top->eval();
  cycles++;
  // pulses last one cycle
  top->img_wr_en = 0; top->core_reset = 0; top->param_we = 0;
  top->in_we = 0; top->tgt_we = 0; top->tgt_commit = 0; top->frame_go = 0; top->out_rd_req = 0;
}

// the firmware loader's HAL (image_install.h) on the core's ports
extern "C" uint8_t hal_stage_rd(uint32_t addr) {
  top->cpu_st_rd = 1; top->cpu_st_addr = addr;
  tick();
  top->cpu_st_rd = 0;
  top->eval();
  return (uint8_t)top->cpu_st_byte;
}
extern "C" void hal_core_wr(uint32_t mem, uint32_t addr, uint32_t value) {
  top->cpu_we = 1; top->cpu_mem = mem; top->cpu_addr = addr; top->cpu_wd = value;
  tick();
  top->cpu_we = 0;
}

static bool waitFor(bool (*cond)(), unsigned long long limit, const char* what) {
  for (unsigned long long n = 0; n < limit; n++) {
    if (cond()) return true;
    tick();
  }
  std::printf("E timeout %s\n", what);
  std::fflush(stdout);
  std::exit(1);
}

static bool imgDone() { return top->img_done; }
static bool frameDone() { return top->frame_done; }
static bool idle() { return !top->frame_busy; }
static bool outValid() { return top->out_rd_valid; }

static int width(int probes) {
  int o = top->n_outputs, n = 0;
  for (int b = 0; b < 3; b++) if (probes & (1 << b)) n += o;
  if (probes & 8) n += top->n_neurons;
  return n;
}

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  top = new Vnla_core;
  top->rst = 1;
  tick(); tick();
  top->rst = 0;
  tick();
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    std::istringstream in(line);
    char cmd;
    in >> cmd;
    if (cmd == 'I') {
      std::string hex;
      in >> hex;
      size_t n = hex.size() / 2;
      for (size_t i = 0; i < n; i++) {
        top->img_wr_en = 1;
        top->img_wr_addr = (unsigned)i;
        top->img_wr_data = (unsigned)std::strtoul(hex.substr(2 * i, 2).c_str(), nullptr, 16);
        tick();
      }
      unsigned long long c0 = cycles;
      uint16_t off = 0;
      int r = image_install((uint32_t)n, &off);
      if (r == 0) waitFor(imgDone, 50000000ULL, "image");
      std::printf("R %d %d %d %u %d %d %d %llu\n", r, r == 0 ? 0 : off, top->image_loaded,
                  top->image_crc, top->n_stim_inputs, top->n_outputs, top->n_neurons, cycles - c0);
      tick();
    } else if (cmd == 'T') {
      long v;
      int k = 0;
      while (in >> v) {
        top->tgt_we = 1; top->tgt_idx = k++; top->tgt_value = (unsigned)(v & 0xffffff);
        tick();
      }
      top->tgt_commit = 1;
      tick();
    } else if (cmd == 'P') {
      long id, v;
      in >> id >> v;
      top->param_we = 1; top->param_id = (unsigned)id; top->param_value = (unsigned)v;
      tick();
    } else if (cmd == 'Z') {
      int r;
      in >> r;
      unsigned long long c0 = cycles;
      top->core_reset = 1; top->restore_weights = r;
      tick();
      tick();
      waitFor(idle, 50000000ULL, "reset");
      std::printf("Z %llu\n", cycles - c0);
    } else if (cmd == 'F') {
      int learn, probes;
      in >> learn >> probes;
      long v;
      int k = 0;
      while (in >> v) {
        top->in_we = 1; top->in_idx = k++; top->in_value = (unsigned)(v & 0xffffff);
        tick();
      }
      top->learn = learn;
      top->probes = probes;
      unsigned long long c0 = cycles;
      top->frame_go = 1;
      tick();
      waitFor(frameDone, 500000000ULL, "frame");
      unsigned long long fc = cycles - c0;
      tick();
      std::printf("O %llu %u %u", fc, top->saturations, top->frames_processed);
      int w = width(probes);
      for (int i = 0; i < w; i++) {
        top->out_rd_req = 1; top->out_rd_idx = i;
        tick();
        waitFor(outValid, 100, "probe");
        int x = (int)(top->out_rd_data & 0xffffff);
        if (x & 0x800000) x -= 0x1000000;
        std::printf(" %d", x);
        tick();
      }
      std::printf("\n");
    }
    std::fflush(stdout);
  }
  top->final();
  delete top;
  return 0;
}

// the firmware loader itself, compiled as C++ here (the testbench is one source file)
#include "../firmware/image_install.c"
