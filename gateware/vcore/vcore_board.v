// vcore_board: the vector core as board_top's core (VCORE = 1): vcore_coreio on cpu_link's core registers (idx 7..17:
// the firmware's rv32/hal_vcore_mmio.c), the core in the UP5K board build (VCORE_UP5K_BUILD of
// hardware-models/fixed-point/vcore-image.ts: banks 0-1 256 x 42 bits, banks 2-6 256 x 32, 128 instructions, W 14
// address bits; the read muxes of the build's readBanks: A reads every bank, X banks 2-6, Y 0, 2-6, the
// subtrahend 1, 2, 4, the mask 2, 3: the compiler places a program's banks to match and the image check refuses a read
// outside them, on the host and in the firmware), and cpu_link's image
// window (region 3) on the core's program SPRAM: byte i of the window is byte i of the SPRAM (halfword i >> 1, the low
// byte at even i). The firmware keeps its two image buffers there, above the program (vcore_core.c); a byte store
// below PROG_BYTES (the program, which only the PROG register writes) is dropped. The window waits while the core
// runs (win_wait = busy): the SPRAM is then the fetch's. Reads: the byte the cycle after win_rd (cpu_link's ph 1).
`timescale 1ns / 1ps
module vcore_board #(
    parameter PROG_BYTES = 2048     // the program's bytes: 2^(PAW+3) halfwords
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        acc,
    input  wire        we,
    input  wire [4:0]  idx,
    input  wire [31:0] wdata,
    output wire [31:0] rdata,
    input  wire        win_rd,
    input  wire        win_we,
    input  wire [14:0] win_addr,
    input  wire [7:0]  win_wd,
    output wire [7:0]  win_byte,
    output wire        win_wait
);
  localparam D = 42, WAW = 14, PAW = 7;
  wire start, learn, busy, done, trap, prog_we, k_we, par_we, par_sel, host_we, w_we, sat_we;
  wire [9:0] start_pc, trap_pc;
  wire [PAW+2:0] prog_addr;
  wire [15:0] prog_wdata, par_wdata, ib_rdata;
  wire [3:0] k_addr;
  wire [14:0] k_wdata;
  wire [2:0] host_bank;
  wire [1:0] host_lane;
  wire [7:0] host_addr;
  wire [D-1:0] host_wdata, host_rdata;
  wire [WAW-1:0] w_addr;
  wire [31:0] w_wdata, w_rdata, sat_wdata, sat;
  vcore_coreio #(.D(D), .WAW(WAW), .PAW(PAW)) io (
      .clk(clk), .rst(rst), .acc(acc), .we(we), .idx(idx), .wdata(wdata), .rdata(rdata),
      .start(start), .start_pc(start_pc), .learn(learn), .busy(busy), .done(done), .trap(trap), .trap_pc(trap_pc),
      .prog_we(prog_we), .prog_addr(prog_addr), .prog_wdata(prog_wdata), .k_we(k_we), .k_addr(k_addr),
      .k_wdata(k_wdata), .par_we(par_we), .par_sel(par_sel), .par_wdata(par_wdata), .host_we(host_we), .host_lane(host_lane),
      .host_bank(host_bank), .host_addr(host_addr), .host_wdata(host_wdata), .host_rdata(host_rdata), .w_we(w_we),
      .w_addr(w_addr), .w_wdata(w_wdata), .w_rdata(w_rdata), .sat_we(sat_we), .sat_wdata(sat_wdata), .sat(sat));
  wire wr_ok = win_we && win_addr >= PROG_BYTES[14:0];
  /* verilator lint_off PINCONNECTEMPTY */
  vcore #(.NB(7), .BW(64'h0020202020202a2a), .RA(8'h7f), .RX(8'h7c), .RY(8'h7d), .RS(8'h16), .RM(8'h0c), .D(D),
          .PAW(PAW), .WAW(WAW)) core (
      .clk(clk), .start(start), .start_pc(start_pc), .learn(learn), .busy(busy), .done(done), .trap(trap),
      .trap_pc(trap_pc), .resume(1'b0), .prog_we(prog_we), .prog_addr(prog_addr), .prog_wdata(prog_wdata),
      .ib_en(win_rd | wr_ok), .ib_addr(win_addr[14:1]), .ib_we(wr_ok ? {win_addr[0], ~win_addr[0]} : 2'b00),
      .ib_wdata({win_wd, win_wd}), .ib_rdata(ib_rdata),
      .k_we(k_we), .k_addr(k_addr), .k_wdata(k_wdata), .par_we(par_we), .par_sel(par_sel), .par_wdata(par_wdata),
      .host_we(host_we), .host_lane(host_lane), .host_bank(host_bank), .host_addr(host_addr), .host_wdata(host_wdata),
      .host_rdata(host_rdata), .w_we(w_we), .w_addr(w_addr), .w_wdata(w_wdata), .w_rdata(w_rdata),
      .sat_we(sat_we), .sat_wdata(sat_wdata), .sat(sat), .cycles());
  /* verilator lint_on PINCONNECTEMPTY */
  assign win_byte = win_addr[0] ? ib_rdata[15:8] : ib_rdata[7:0];
  assign win_wait = busy;
endmodule
