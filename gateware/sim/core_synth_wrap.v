// core_synth_wrap: a synthesis-only wrapper for place-and-route of nla_core alone (fmax): every input of
// nla_core comes from a shift register fed by one pin and every output is XOR-folded into one pin, so that
// nothing is optimised away and the design needs three pins (gateware/cpu/softcpu_wrap.pcf).
module core_synth_wrap #(
  parameter FORMAT = 0
) (
  input  clk,
  input  sin,
  output reg sout
);
  localparam NI = 1 + 1 + 17 + 8 + 1 + 17 + 1 + 1 + 1 + 1 + 16 + 32 + 1 + 16 + 24 + 1 + 16 + 24 + 1 + 1 + 4 + 1 + 16;
  reg [NI-1:0] sr;
  always @(posedge clk) sr <= {sr[NI-2:0], sin};
  wire [NI-1:0] i = sr;
  wire img_done, image_loaded, frame_busy, frame_done, out_rd_valid;
  wire [1:0] img_result;
  wire [15:0] img_err_offset, n_stim_inputs, n_outputs, n_neurons;
  wire [31:0] image_crc, saturations, frames_processed;
  wire [23:0] out_rd_data;
  nla_core #(.FORMAT(FORMAT)) dut (.clk(clk), .rst(i[0]),
    .img_wr_en(i[1]), .img_wr_addr(i[18:2]), .img_wr_data(i[26:19]), .img_commit(i[27]), .img_total(i[44:28]),
    .img_done(img_done), .img_result(img_result), .img_err_offset(img_err_offset), .image_loaded(image_loaded),
    .image_crc(image_crc), .n_stim_inputs(n_stim_inputs), .n_outputs(n_outputs), .n_neurons(n_neurons),
    .core_reset(i[45]), .restore_weights(i[46]), .learn(i[47]), .param_we(i[48]), .param_id(i[64:49]),
    .param_value(i[96:65]), .in_we(i[97]), .in_idx(i[113:98]), .in_value(i[137:114]), .tgt_we(i[138]),
    .tgt_idx(i[154:139]), .tgt_value(i[178:155]), .tgt_commit(i[179]), .frame_go(i[180]), .frame_busy(frame_busy),
    .frame_done(frame_done), .probes(i[184:181]), .out_rd_req(i[185]), .out_rd_idx(i[201:186]),
    .out_rd_valid(out_rd_valid), .out_rd_data(out_rd_data), .saturations(saturations), .frames_processed(frames_processed));
  always @(posedge clk) sout <= ^{img_done, image_loaded, frame_busy, frame_done, out_rd_valid, img_result,
    img_err_offset, n_stim_inputs, n_outputs, n_neurons, image_crc, saturations, frames_processed, out_rd_data};
endmodule
