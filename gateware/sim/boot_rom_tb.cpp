// boot_rom_tb.cpp: Verilator driver of boot_rom_tb.v: toggles clk until $finish.
#include <memory>
#include "verilated.h"
#include "Vboot_rom_tb.h"

int main(int argc, char** argv) {
  const std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
  ctx->commandArgs(argc, argv);
  const std::unique_ptr<Vboot_rom_tb> top{new Vboot_rom_tb{ctx.get()}};
  while (!ctx->gotFinish()) {
    top->clk = 0;
    top->eval();
    top->clk = 1;
    top->eval();
  }
  top->final();
  return 0;
}
