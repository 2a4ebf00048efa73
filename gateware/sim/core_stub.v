// core_stub: a behavioural stand-in for nla_core with its ports, for testing the link and session
// before the real core exists. Stub image format: u16 nStimulusInputs at 0, u16 nOutputs at 2, u16
// nNeurons at 4, magic 0xA5 at byte 6, trailer CRC (u32 LE) in the last 4 bytes. Validation: byte 6 must
// be 0xA5 (BAD_IMAGE, offset 6); nStim <= MAX_INPUTS (CAPACITY, offset 0), nOutputs <= MAX_OUTPUTS
// (CAPACITY, offset 2). A frame takes FRAME_CYCLES cycles; output value idx after frame F (frames
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
  reg [7:0]  img [0:IMG_BYTES-1];
  reg [23:0] in_mem [0:MAX_INPUTS-1];
  reg [23:0] tgt_mem [0:MAX_OUTPUTS-1];
  reg [15:0] iterations;
  reg [3:0]  cst;                 // commit step
  reg [16:0] ctot;
  reg [7:0]  rd;
  reg [7:0]  hb [0:10];           // bytes 0..6, trailer 0..3
  reg [16:0] ra;
  reg [15:0] busy_cycles;
  reg [15:0] ridx;
  reg        rpend;
  assign frame_busy = busy_cycles != 16'd0;
  wire _unused = &{1'b0, restore_weights, probes, tgt_commit, param_value[31:16]};
  always @(posedge clk) begin
    if (img_wr_en && img_wr_addr < IMG_BYTES) img[img_wr_addr] <= img_wr_data;
    rd <= img[ra];
  end
  wire [15:0] s_in = {hb[1], hb[0]}, s_out = {hb[3], hb[2]};
  wire [23:0] v_in = (ridx < n_stim_inputs && ridx < MAX_INPUTS) ? in_mem[ridx[5:0]] : 24'd0;
  wire [23:0] v_tg = (ridx < n_outputs && ridx < MAX_OUTPUTS && tgt_mem[ridx[3:0]] != 24'h800000) ? tgt_mem[ridx[3:0]] : 24'd0;
  integer i;
  always @(posedge clk) begin
    img_done <= 1'b0;
    frame_done <= 1'b0;
    out_rd_valid <= 1'b0;
    if (rst) begin
      image_loaded <= 1'b0; image_crc <= 32'd0; n_stim_inputs <= 16'd0; n_outputs <= 16'd0; n_neurons <= 16'd0;
      img_result <= 2'd0; img_err_offset <= 16'd0; cst <= 4'd0; ctot <= 17'd0; ra <= 17'd0;
      busy_cycles <= 16'd0; saturations <= 32'd0; frames_processed <= 32'd0; iterations <= 16'd0;
      rpend <= 1'b0; ridx <= 16'd0; out_rd_data <= 24'd0;
      for (i = 0; i < MAX_INPUTS; i = i + 1) in_mem[i] <= 24'd0;
      for (i = 0; i < MAX_OUTPUTS; i = i + 1) tgt_mem[i] <= 24'h800000;
    end else begin
      // ---- image commit: read bytes 0..6 and the 4 trailer bytes (ra -> rd takes two cycles) ----
      if (img_commit) begin ctot <= img_total; cst <= 4'd1; end
      else if (cst != 4'd0) begin
        cst <= cst + 4'd1;
        if (cst <= 4'd11) ra <= (cst <= 4'd7) ? {13'd0, cst} - 17'd1 : ctot - 17'd12 + {13'd0, cst};
        if (cst >= 4'd3 && cst <= 4'd13) hb[cst - 4'd3] <= rd;
        if (cst == 4'd14) begin
          cst <= 4'd0;
          img_done <= 1'b1;
          if (hb[6] != 8'hA5) begin img_result <= 2'd1; img_err_offset <= 16'd6; end
          else if (s_in > MAX_INPUTS) begin img_result <= 2'd2; img_err_offset <= 16'd0; end
          else if (s_out > MAX_OUTPUTS) begin img_result <= 2'd2; img_err_offset <= 16'd2; end
          else begin
            img_result <= 2'd0;
            image_loaded <= 1'b1;
            image_crc <= {hb[10], hb[9], hb[8], hb[7]};
            n_stim_inputs <= s_in; n_outputs <= s_out; n_neurons <= {hb[5], hb[4]};
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
        out_rd_data <= v_in + {ridx[11:0], 4'd0} + frames_processed[23:0] + v_tg + (learn ? 24'h1000 : 24'd0)
                     + {8'd0, iterations};
      end
    end
  end
endmodule
