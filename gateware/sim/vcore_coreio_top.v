// vcore_coreio_top: the vector core behind its register window (vcore_coreio + vcore), as the soft processor
// reaches it through cpu_link; the top of gateware/sim/vcore_coreio_tb.cpp. Parameters: vcore's (NB, BW, RA..RM,
// WAW), passed through.
`timescale 1ns / 1ps
module vcore_coreio_top #(
    parameter NB = 8,
    parameter [63:0] BW = {8{8'd42}},
    parameter [7:0] RA = 8'hff, RX = 8'hff, RY = 8'hff, RS = 8'hff, RM = 8'hff,
    parameter WAW = 14
) (
    input  wire        clk,
    input  wire        rst,
    input  wire        acc,
    input  wire        we,
    input  wire [4:0]  idx,
    input  wire [31:0] wdata,
    output wire [31:0] rdata,
    output wire [31:0] cycles
);
  localparam D = 42, PAW = 7;
  wire start, learn, busy, done, trap, prog_we, k_we, par_we, par_sel, host_we, w_we, sat_we;
  wire [9:0] start_pc, trap_pc;
  wire [PAW+2:0] prog_addr;
  wire [15:0] prog_wdata, par_wdata;
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
  /* verilator lint_off PINCONNECTEMPTY */
  vcore #(.NB(NB), .BW(BW), .RA(RA), .RX(RX), .RY(RY), .RS(RS), .RM(RM), .D(D), .PAW(PAW), .WAW(WAW)) core (
      .clk(clk), .start(start), .start_pc(start_pc), .learn(learn), .busy(busy), .done(done), .trap(trap),
      .trap_pc(trap_pc), .resume(1'b0), .prog_we(prog_we), .prog_addr(prog_addr), .prog_wdata(prog_wdata),
      .ib_en(1'b0), .ib_addr(14'd0), .ib_we(2'd0), .ib_wdata(16'd0), .ib_rdata(),
      .k_we(k_we), .k_addr(k_addr), .k_wdata(k_wdata), .par_we(par_we), .par_sel(par_sel), .par_wdata(par_wdata),
      .host_we(host_we), .host_lane(host_lane), .host_bank(host_bank), .host_addr(host_addr), .host_wdata(host_wdata),
      .host_rdata(host_rdata), .w_we(w_we), .w_addr(w_addr), .w_wdata(w_wdata), .w_rdata(w_rdata),
      .sat_we(sat_we), .sat_wdata(sat_wdata), .sat(sat), .cycles(cycles));
  /* verilator lint_on PINCONNECTEMPTY */
endmodule
