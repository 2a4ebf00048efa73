// core_stub: a behavioural stand-in for nla_core with its ports, for testing the link and session
// before the real core exists. It reads only a few fields of a real image (docs/protocol.md 10.1):
// magic "NLAI" (else BAD_IMAGE, offset 0), nStimulusInputs (28), nNeurons (30), nOutputs (32) and the
// trailer CRC; nStim > MAX_INPUTS or nOutputs > MAX_OUTPUTS: CAPACITY at offset 28 / 32. A frame takes FRAME_CYCLES cycles; output value idx after frame F (frames
// computed since install/reset, this one included) is, mod 2**24:
//   (idx < nStim ? in[idx] : 0) + 16*idx + F + (idx < nOut && tgt[idx] != NO_TARGET ? tgt[idx] : 0)
//   + (learn ? 0x1000 : 0) + iterations param (id 3, 0 until set)
// saturations counts frames whose input 0 is negative.
module core_stub #(
  parameter MAX_INPUTS = 64,
  parameter MAX_OUTPUTS = 16,
  parameter IMG_BYTES = 4096,
  parameter FRAME_CYCLES = 40
) (
  input             clk,
  input             rst,
  input             img_wr_en,
  input      [16:0] img_wr_addr,
  input      [7:0]  img_wr_data,
  input             img_commit,
  input      [16:0] img_total,
  output reg        img_done,
  output reg [1:0]  img_result,
  output reg [15:0] img_err_offset,
  output reg        image_loaded,
  output reg [31:0] image_crc,
  output reg [15:0] n_stim_inputs,
  output reg [15:0] n_outputs,
  output reg [15:0] n_neurons,
  input             core_reset,
  input             restore_weights,
  input             learn,
  input             param_we,
  input      [15:0] param_id,
  input      [31:0] param_value,
  input             in_we,
  input      [15:0] in_idx,
  input      [23:0] in_value,
  input             tgt_we,
  input      [15:0] tgt_idx,
  input      [23:0] tgt_value,
  input             tgt_commit,
  input             frame_go,
  output            frame_busy,
  output reg        frame_done,
  input      [3:0]  probes,
  input             out_rd_req,
  input      [15:0] out_rd_idx,
  output reg        out_rd_valid,
  output reg [23:0] out_rd_data,
  output reg [31:0] saturations,
  output reg [31:0] frames_processed
);
  localparam IAW = $clog2(IMG_BYTES);
  reg [7:0]  img [0:IMG_BYTES-1];
  reg [23:0] in_mem [0:MAX_INPUTS-1];
  reg [23:0] tgt_mem [0:MAX_OUTPUTS-1];
  reg [15:0] iterations;
  reg [4:0]  cst;                 // commit step
  reg [16:0] ctot;
  reg [7:0]  rd;
  reg [7:0]  hb [0:13];           // bytes 0..3 (magic), 28..33 (nStim, nNeurons, nOutputs), trailer
  /* verilator lint_off UNUSEDSIGNAL */ // staging addresses beyond IMG_BYTES are never read
  reg [16:0] ra;
  /* verilator lint_on UNUSEDSIGNAL */
  reg [15:0] busy_cycles;
  reg [15:0] ridx;
  reg        rpend;
  assign frame_busy = busy_cycles != 16'd0;
  wire _unused = &{1'b0, restore_weights, probes, tgt_commit, param_value[31:16]};
  always @(posedge clk) begin
    if (img_wr_en && img_wr_addr < IMG_BYTES) img[img_wr_addr[IAW-1:0]] <= img_wr_data;
    rd <= img[ra[IAW-1:0]];
  end
  wire [15:0] s_in = {hb[5], hb[4]}, s_out = {hb[9], hb[8]};
  function [16:0] addr_of(input [4:0] st);
    addr_of = (st < 5'd4) ? {12'd0, st} : (st < 5'd10) ? {12'd0, st} + 17'd24 : ctot - 17'd14 + {12'd0, st};
  endfunction
  wire [23:0] v_in = (ridx < n_stim_inputs && ridx < MAX_INPUTS) ? in_mem[ridx[5:0]] : 24'd0;
  wire [23:0] v_tg = (ridx < n_outputs && ridx < MAX_OUTPUTS && tgt_mem[ridx[3:0]] != 24'h800000) ? tgt_mem[ridx[3:0]] : 24'd0;
  integer i;
  always @(posedge clk) begin
    img_done <= 1'b0;
    frame_done <= 1'b0;
    out_rd_valid <= 1'b0;
    if (rst) begin
      image_loaded <= 1'b0; image_crc <= 32'd0; n_stim_inputs <= 16'd0; n_outputs <= 16'd0; n_neurons <= 16'd0;
      img_result <= 2'd0; img_err_offset <= 16'd0; cst <= 5'd0; ctot <= 17'd0; ra <= 17'd0;
      busy_cycles <= 16'd0; saturations <= 32'd0; frames_processed <= 32'd0; iterations <= 16'd0;
      rpend <= 1'b0; ridx <= 16'd0; out_rd_data <= 24'd0;
      for (i = 0; i < MAX_INPUTS; i = i + 1) in_mem[i] <= 24'd0;
      for (i = 0; i < MAX_OUTPUTS; i = i + 1) tgt_mem[i] <= 24'h800000;
    end else begin
      // ---- image commit: read the 14 bytes of interest (ra -> rd takes two cycles) ----
      if (img_commit) begin ctot <= img_total; cst <= 5'd1; end
      else if (cst != 5'd0) begin
        cst <= cst + 5'd1;
        if (cst <= 5'd14) ra <= addr_of(cst - 5'd1);
        if (cst >= 5'd3 && cst <= 5'd16) hb[cst[3:0] - 4'd3] <= rd;
        if (cst == 5'd17) begin
          cst <= 5'd0;
          img_done <= 1'b1;
          if ({hb[3], hb[2], hb[1], hb[0]} != 32'h49414C4E) begin img_result <= 2'd1; img_err_offset <= 16'd0; end
          else if (s_in > MAX_INPUTS) begin img_result <= 2'd2; img_err_offset <= 16'd28; end
          else if (s_out > MAX_OUTPUTS) begin img_result <= 2'd2; img_err_offset <= 16'd32; end
          else begin
            img_result <= 2'd0;
            image_loaded <= 1'b1;
            image_crc <= {hb[13], hb[12], hb[11], hb[10]};
            n_stim_inputs <= s_in; n_outputs <= s_out; n_neurons <= {hb[7], hb[6]};
            frames_processed <= 32'd0; saturations <= 32'd0;
            for (i = 0; i < MAX_OUTPUTS; i = i + 1) tgt_mem[i] <= 24'h800000;
          end
        end
      end
      if (core_reset) begin frames_processed <= 32'd0; saturations <= 32'd0; end
      if (param_we && param_id == 16'd3) iterations <= param_value[15:0];
      if (in_we && in_idx < MAX_INPUTS) in_mem[in_idx[5:0]] <= in_value;
      if (tgt_we && tgt_idx < MAX_OUTPUTS) tgt_mem[tgt_idx[3:0]] <= tgt_value;
      if (frame_go) busy_cycles <= FRAME_CYCLES;
      else if (busy_cycles != 16'd0) begin
        busy_cycles <= busy_cycles - 16'd1;
        if (busy_cycles == 16'd1) begin
          frame_done <= 1'b1;
          frames_processed <= frames_processed + 32'd1;
          if (in_mem[0][23]) saturations <= saturations + 32'd1;
        end
      end
      if (out_rd_req) begin ridx <= out_rd_idx; rpend <= 1'b1; end
      else if (rpend) begin
        rpend <= 1'b0;
        out_rd_valid <= 1'b1;
        out_rd_data <= v_in + {4'd0, ridx, 4'd0} + frames_processed[23:0] + v_tg + (learn ? 24'h1000 : 24'd0)
                     + {8'd0, iterations};  // (24-bit wrap)
      end
    end
  end
endmodule
