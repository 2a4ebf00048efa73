// cpu_link_synth_wrap: synth_wrap.v for cpu_link (the soft processor in place of board_link): place-and-route alone (resource and fmax
// figures): every input of cpu_link comes from a shift register fed by one pin and every output is
// XOR-folded into one pin, so that nothing is optimised away and the design needs three pins.
module cpu_link_synth_wrap (
  input  clk,
  input  sin,
  output reg sout
);
  localparam NI = 1 + 13 + 1 + 1 + 3 + 1 + 8 + 1 + 1 + 16 + 1 + 2 + 16 + 1 + 32 + 48 + 1 + 1 + 1 + 24 + 64;
  reg [NI-1:0] sr;
  always @(posedge clk) sr <= {sr[NI-2:0], sin};
  wire rst = sr[0];
  wire [NI-1:0] i = sr;
  wire rx_frame_release, rx_rd_buf, tx_start, img_wr_en, img_commit, core_reset, restore_weights, learn;
  wire param_we, in_we, tgt_we, tgt_commit, frame_go, out_rd_req, session_open;
  wire [12:0] rx_rd_addr, tx_len;
  wire [15:0] tx_base, param_id, in_idx, tgt_idx, out_rd_idx, rto_ms;
  wire [7:0] tx_rd_data, img_wr_data;
  wire [16:0] img_wr_addr, img_total;
  wire [31:0] param_value;
  wire [23:0] in_value, tgt_value;
  wire [3:0] probes;
  wire [1:0] board_state;
  cpu_link #(.TICK_CYCLES(12000)) dut (.clk(clk), .rst(rst),
    .rx_frame_valid(i[1]), .rx_frame_len(i[14:2]), .rx_frame_buf(i[15]), .rx_frame_release(rx_frame_release),
    .rx_reject(i[16]), .rx_reject_reason(i[19:17]), .rx_overrun(i[20]), .rx_rd_buf(rx_rd_buf),
    .rx_rd_addr(rx_rd_addr), .rx_rd_data(i[28:21]), .rx_activity(i[29]), .tx_start(tx_start), .tx_base(tx_base),
    .tx_len(tx_len), .tx_busy(i[30]), .tx_rd_addr(i[46:31]), .tx_rd_data(tx_rd_data),
    .img_wr_en(img_wr_en), .img_wr_addr(img_wr_addr), .img_wr_data(img_wr_data), .img_commit(img_commit),
    .img_total(img_total), .img_done(i[47]), .img_result(i[49:48]), .img_err_offset(i[65:50]),
    .image_loaded(i[66]), .image_crc(i[98:67]), .n_stim_inputs(i[114:99]), .n_outputs(i[130:115]),
    .n_neurons(i[146:131]), .core_reset(core_reset), .restore_weights(restore_weights), .learn(learn),
    .param_we(param_we), .param_id(param_id), .param_value(param_value), .in_we(in_we), .in_idx(in_idx),
    .in_value(in_value), .tgt_we(tgt_we), .tgt_idx(tgt_idx), .tgt_value(tgt_value), .tgt_commit(tgt_commit),
    .frame_go(frame_go), .frame_done(i[147]), .probes(probes), .out_rd_req(out_rd_req), .out_rd_idx(out_rd_idx),
    .out_rd_valid(i[148]), .out_rd_data(i[172:149]), .saturations(i[204:173]), .frames_processed(i[236:205]),
    .session_open(session_open), .board_state(board_state), .rto_ms(rto_ms), .cpu_st_wait(1'b0), .core_rdata(32'd0));
  always @(posedge clk) sout <= ^{rx_frame_release, rx_rd_buf, tx_start, img_wr_en, img_commit, core_reset,
    restore_weights, learn, param_we, in_we, tgt_we, tgt_commit, frame_go, out_rd_req, session_open, rx_rd_addr,
    tx_len, tx_base, param_id, in_idx, tgt_idx, out_rd_idx, rto_ms, tx_rd_data, img_wr_data, img_wr_addr,
    img_total, param_value, in_value, tgt_value, probes, board_state, i[NI-1]};
endmodule
