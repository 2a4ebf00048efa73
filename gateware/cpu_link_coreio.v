// cpu_link_coreio: nla_core's ports as cpu_link's firmware sees them (memory-mapped registers, word
// index `idx`; the HAL is gateware/firmware/rv32/hal_cpulink.c):
//   7 IMG_WR      w: bits 24..8 staging address, 7..0 byte: img_wr_en pulses
//   8 IMG_COMMIT  w: total bytes: img_commit pulses
//   9 IMG_STATUS  r: bit 31 done (img_done seen; cleared by the read), bits 17..16 result, 15..0 error offset
//  30 CORE_PORT   w: the firmware loader's raw write port (nla_core without its loader): bits 18..16 cpu_mem,
//                 13..0 cpu_addr (held)       29 CORE_WD w: cpu_wd: cpu_we pulses (one write)
//  (the staging read is cpu_link's region 3, a byte window)
//  10 CORE_INFO   r: bit 0 image_loaded       11 CORE_CRC r     12 NSTIM r     13 NOUT r     14 NNEUR r
//  15 CORE_CTRL   w: bit 0 core_reset (pulse, restore_weights = bit 1); bit 9 set learn to bit 8
//  16 PARAM_ID    w                            17 PARAM_VALUE w: param_we pulses
//  18 IDX         w: index of the next input / target write
//  19 IN_VALUE    w: in_we pulses (in_idx = IDX) 20 TGT_VALUE w: tgt_we pulses   21 TGT_COMMIT w: tgt_commit
//  22 FRAME_GO    w: probes: frame_go pulses   23 FRAME_STATUS r: bit 0 frame_done seen (cleared by the read)
//  24 OUT_REQ     w: index: out_rd_req pulses  25 OUT_VALUE r: bit 31 valid (since the last OUT_REQ), 23..0
//  26 FRAMES r    27 SATURATIONS r
module cpu_link_coreio (
  input         clk,
  input         rst,
  input         acc,
  input         we,
  input  [4:0]  idx,
  input  [31:0] wdata,
  output reg [31:0] rdata,
  output reg        img_wr_en,
  output reg [16:0] img_wr_addr,
  output reg [7:0]  img_wr_data,
  output reg        img_commit,
  output reg [16:0] img_total,
  input             img_done,
  input      [1:0]  img_result,
  input      [15:0] img_err_offset,
  output reg        cpu_we,
  output reg [2:0]  cpu_mem,
  output reg [13:0] cpu_addr,
  output reg [31:0] cpu_wd,
  input             image_loaded,
  input      [31:0] image_crc,
  input      [15:0] n_stim_inputs,
  input      [15:0] n_outputs,
  input      [15:0] n_neurons,
  output reg        core_reset,
  output reg        restore_weights,
  output reg        learn,
  output reg        param_we,
  output reg [15:0] param_id,
  output reg [31:0] param_value,
  output reg        in_we,
  output reg        tgt_we,
  output reg [15:0] vidx,        // in_idx = tgt_idx = out_rd_idx
  output reg [23:0] value,       // in_value = tgt_value
  output reg        tgt_commit,
  output reg        frame_go,
  input             frame_done,
  output reg [3:0]  probes,
  output reg        out_rd_req,
  input             out_rd_valid,
  input      [23:0] out_rd_data,
  input      [31:0] saturations,
  input      [31:0] frames_processed
);
  wire w = acc & we;
  reg        img_dn, frm_dn, out_v;
  reg [1:0]  res;
  reg [15:0] eoff;
  reg [23:0] out_d;
  always @(posedge clk) begin
    img_wr_en <= w & (idx == 5'd7);
    img_commit <= w & (idx == 5'd8);
    cpu_we <= w & (idx == 5'd29);
    core_reset <= w & (idx == 5'd15) & wdata[0];
    param_we <= w & (idx == 5'd17);
    in_we <= w & (idx == 5'd19);
    tgt_we <= w & (idx == 5'd20);
    tgt_commit <= w & (idx == 5'd21);
    frame_go <= w & (idx == 5'd22);
    out_rd_req <= w & (idx == 5'd24);
    if (w & (idx == 5'd7)) begin img_wr_addr <= wdata[24:8]; img_wr_data <= wdata[7:0]; end
    if (w & (idx == 5'd8)) img_total <= wdata[16:0];
    if (w & (idx == 5'd30)) begin cpu_mem <= wdata[18:16]; cpu_addr <= wdata[13:0]; end
    if (w & (idx == 5'd29)) cpu_wd <= wdata;
    if (w & (idx == 5'd16)) param_id <= wdata[15:0];
    if (w & (idx == 5'd17)) param_value <= wdata;
    if (w & (idx == 5'd18)) vidx <= wdata[15:0];
    if (w & (idx == 5'd24)) vidx <= wdata[15:0];
    if (w & ((idx == 5'd19) | (idx == 5'd20))) value <= wdata[23:0];
    if (w & (idx == 5'd22)) probes <= wdata[3:0];
    if (w & (idx == 5'd15) & wdata[0]) restore_weights <= wdata[1];
    if (img_done) begin res <= img_result; eoff <= img_err_offset; end
    if (out_rd_valid) out_d <= out_rd_data;
    if (rst) begin
      img_wr_en <= 1'b0; img_commit <= 1'b0; cpu_we <= 1'b0; core_reset <= 1'b0; param_we <= 1'b0; in_we <= 1'b0;
      tgt_we <= 1'b0; tgt_commit <= 1'b0; frame_go <= 1'b0; out_rd_req <= 1'b0;
      learn <= 1'b0; restore_weights <= 1'b0; probes <= 4'd0;
      img_dn <= 1'b0; frm_dn <= 1'b0; out_v <= 1'b0;
    end else begin
      if (w & (idx == 5'd15) & wdata[9]) learn <= wdata[8];
      img_dn <= img_done | (img_dn & ~(acc & ~we & (idx == 5'd9)));
      frm_dn <= frame_done | (frm_dn & ~(acc & ~we & (idx == 5'd23)));
      out_v <= out_rd_valid | (out_v & ~(w & (idx == 5'd24)));
    end
  end
  always @* begin
    case (idx)
      5'd9:  rdata = {img_dn, 13'd0, res, eoff};
      5'd10: rdata = {31'd0, image_loaded};
      5'd11: rdata = image_crc;
      5'd12: rdata = {16'd0, n_stim_inputs};
      5'd13: rdata = {16'd0, n_outputs};
      5'd14: rdata = {16'd0, n_neurons};
      5'd23: rdata = {31'd0, frm_dn};
      5'd25: rdata = {out_v, 7'd0, out_d};
      5'd26: rdata = frames_processed;
      5'd27: rdata = saturations;
      default: rdata = 32'd0;
    endcase
  end
endmodule
