// flash_boot_tb.cpp: Verilator driver of flash_boot_tb.v: toggles clk until $finish.
#include <memory>
#include "Vflash_boot_tb.h"
#include "verilated.h"

int main(int argc, char** argv) {
  const std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
  ctx->commandArgs(argc, argv);
  const std::unique_ptr<Vflash_boot_tb> top{new Vflash_boot_tb{ctx.get()}};
  top->clk = 0;
  while (!ctx->gotFinish()) {
    top->clk = 0;
    top->eval();
    top->clk = 1;
    top->eval();
  }
  top->final();
  return 0;
}
