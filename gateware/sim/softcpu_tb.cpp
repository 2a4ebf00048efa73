// softcpu_tb: Verilator testbench of gateware/cpu/rv32_soc.v. Runs the firmware given as
// +firmware=<hex> (read by rv32_ram), feeds the bytes of --in <file> (hex, one byte a line) to the
// receive port whenever the core reads it, takes every transmitted byte, and records each mark write
// with its cycle. Stops when the core halts (ECALL/EBREAK) or after --max-cycles. Prints
//   M <cycle> <retired> <value hex>   for each mark, in order
//   O <hex bytes>                     the transmitted bytes
//   T <cycles> <retired> <halted 0|1> <bytes consumed>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include "Vtop.h"
#include "verilated.h"

double sc_time_stamp() { return 0; }

int main(int argc, char** argv) {
  Verilated::commandArgs(argc, argv);
  std::vector<unsigned char> in;
  unsigned long long max_cycles = 100000000ULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--in") && i + 1 < argc) {
      FILE* f = fopen(argv[++i], "r");
      if (!f) { fprintf(stderr, "cannot open %s\n", argv[i]); return 2; }
      unsigned v;
      while (fscanf(f, "%x", &v) == 1) in.push_back((unsigned char)v);
      fclose(f);
    } else if (!strcmp(argv[i], "--max-cycles") && i + 1 < argc) {
      max_cycles = strtoull(argv[++i], nullptr, 10);
    }
  }
  Vtop* top = new Vtop;
  size_t pos = 0;
  unsigned long long cycles = 0, retired = 0;
  std::string out;
  top->tx_ready = 1;
  top->rst = 1;
  for (int k = 0; k < 4; k++) { top->clk = 0; top->eval(); top->clk = 1; top->eval(); }
  top->rst = 0;
  while (cycles < max_cycles && !top->halted) {
    top->rx_valid = pos < in.size();
    top->rx_data = pos < in.size() ? in[pos] : 0;
    top->clk = 0;
    top->eval();
    if (top->rx_pop) pos++;
    if (top->tx_valid) { char b[4]; snprintf(b, sizeof b, "%02x", top->tx_data); out += b; }
    if (top->mark_valid) printf("M %llu %llu %08x\n", cycles, retired, top->mark_data);
    if (top->retire) retired++;
    top->clk = 1;
    top->eval();
    cycles++;
  }
  printf("O %s\n", out.c_str());
  printf("T %llu %llu %d %zu\n", cycles, retired, top->halted ? 1 : 0, pos);
  top->final();
  delete top;
  return 0;
}
