// session_tb: Verilator testbench of board_link + core_stub (session_harness) at the frame_rx/frame_tx
// ports: it plays frame_rx (two frame buffers, registered read port, rx_frame_valid/release) and
// frame_tx (reads the frame through tx_rd_addr/tx_rd_data while tx_busy is high). Raw frames
// (header || payload, no CRC, no COBS) travel as hex on stdin/stdout, one command per line:
//   F <hex>        deliver a raw frame (waits, clocking, until frame_rx would have a free buffer)
//   J              a rejected block (rx_reject pulse)
//   K              one received byte (rx_activity pulse), as a keepalive that is not a frame
//   C <n>          run n testbench cycles (n * TICK_CYCLES / REPORT_TICK_CYCLES clock cycles)
//   M <n>          run n ms (n * TICK_CYCLES cycles)
//   W <n> <ms>     run until n more frames were sent, at most <ms> ms
//   P              print "ST <session_open> <board_state> <rto_ms>"
//   Q              quit
// Every frame the design sends is printed as "TX <ms> <hex>" when its last byte has left; every
// command ends with "OK <cycle>". The frame_tx model holds tx_busy for TX_CYCLES_PER_BYTE per byte.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <string>
#include <vector>
#include <iostream>
// The harness it drives: session_harness, with board_link or (SESSION_HARNESS_CPU) cpu_link, whose clock
// runs a realistic TICK_CYCLES per ms: the cycle counts it exchanges (C <n>, OK <cycle>) are then in
// testbench cycles of 1/REPORT_TICK_CYCLES ms (20, what test/gateware/session-tb.ts assumes).
#include "Vsession_harness.h"
typedef Vsession_harness Top;
#include "verilated.h"

#ifndef TICK_CYCLES
#define TICK_CYCLES 20
#endif
#ifndef REPORT_TICK_CYCLES
#define REPORT_TICK_CYCLES TICK_CYCLES
#endif
static const int TX_CYCLES_PER_BYTE = 1;

struct Tb {
  Top *top;
  uint64_t cycle = 0;
  std::vector<uint8_t> buf[2];
  bool held[2] = {false, false};
  uint8_t next_rx_rd = 0;
  // frame_tx model
  bool tx_active = false;
  int tx_base = 0, tx_len = 0, tx_i = 0, tx_busy_left = 0;
  std::vector<uint8_t> tx_frame;
  uint64_t tx_count = 0;

  explicit Tb(Top *t) : top(t) {
    buf[0].assign(8192, 0);
    buf[1].assign(8192, 0);
  }

  void emit_tx() {
    std::string s = "TX " + std::to_string(cycle / TICK_CYCLES) + " ";
    static const char *hx = "0123456789abcdef";
    for (uint8_t b : tx_frame) { s += hx[b >> 4]; s += hx[b & 15]; }
    std::cout << s << "\n";
    tx_count++;
  }

  // one clock cycle: inputs set before the rising edge, outputs sampled after it
  void step() {
    // frame_tx: present the next address; the data comes back after the edge
    int presented = -1;
    if (tx_active && tx_i < tx_len) {
      top->tx_rd_addr = (uint16_t)(tx_base + tx_i);
      presented = tx_i++;
    }
    uint8_t rx_next = buf[top->rx_rd_buf & 1][top->rx_rd_addr & 8191];
    top->clk = 0; top->eval();
    top->clk = 1; top->eval();
    cycle++;
    top->rx_rd_data = rx_next;
    if (presented >= 0) tx_frame.push_back(top->tx_rd_data);
    // pulses last one cycle
    top->rx_frame_valid = 0;
    top->rx_reject = 0;
    top->rx_activity = 0;
    if (top->rx_frame_release) held[top->rx_rd_buf & 1] = false;
    if (tx_active) {
      if (tx_busy_left > 0) tx_busy_left--;
      if (tx_i >= tx_len && tx_busy_left == 0 && (int)tx_frame.size() == tx_len) {
        tx_active = false;
        top->tx_busy = 0;
        emit_tx();
      }
    } else if (top->tx_start) {
      tx_active = true;
      tx_base = top->tx_base;
      tx_len = top->tx_len;
      tx_i = 0;
      tx_busy_left = tx_len * TX_CYCLES_PER_BYTE;
      tx_frame.clear();
      top->tx_busy = 1;
    }
  }

  void deliver(const std::vector<uint8_t> &raw) {
    int guard = 0;
    while (held[0] && held[1] && guard++ < 10000000) step();
    int b = held[0] ? 1 : 0;
    std::copy(raw.begin(), raw.end(), buf[b].begin());
    held[b] = true;
    top->rx_frame_valid = 1;
    top->rx_frame_buf = b;
    top->rx_frame_len = (uint16_t)raw.size();
    top->rx_activity = 1;
    step();
  }
};

static std::vector<uint8_t> unhex(const std::string &h) {
  std::vector<uint8_t> v;
  for (size_t i = 0; i + 1 < h.size(); i += 2) v.push_back((uint8_t)std::strtoul(h.substr(i, 2).c_str(), nullptr, 16));
  return v;
}

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  Top *top = new Top;
  Tb tb(top);
  top->rst = 1;
  for (int i = 0; i < 4; i++) tb.step();
  top->rst = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    char c = line[0];
    std::string arg = line.size() > 2 ? line.substr(2) : "";
    if (c == 'F') tb.deliver(unhex(arg));
    else if (c == 'J') { top->rx_reject = 1; top->rx_reject_reason = 5; tb.step(); }
    else if (c == 'K') { top->rx_activity = 1; tb.step(); }
    else if (c == 'C') { long n = std::atol(arg.c_str()) * (TICK_CYCLES / REPORT_TICK_CYCLES); for (long i = 0; i < n; i++) tb.step(); }
    else if (c == 'M') { long n = std::atol(arg.c_str()) * TICK_CYCLES; for (long i = 0; i < n; i++) tb.step(); }
    else if (c == 'W') {
      long n = 0, ms = 0;
      std::sscanf(arg.c_str(), "%ld %ld", &n, &ms);
      uint64_t want = tb.tx_count + (uint64_t)n, end = tb.cycle + (uint64_t)ms * TICK_CYCLES;
      while (tb.tx_count < want && tb.cycle < end) tb.step();
    } else if (c == 'P') {
      std::cout << "ST " << (int)top->session_open << " " << (int)top->board_state << " " << top->rto_ms << "\n";
    } else if (c == 'Q') break;
    std::cout << "OK " << tb.cycle * REPORT_TICK_CYCLES / TICK_CYCLES << std::endl;
  }
  top->final();
  delete top;
  return 0;
}
