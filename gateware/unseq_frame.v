// unseq_frame: the bytes of the board's unsequenced frames (header || payload, without CRC) as a function
// of the byte offset, so that they need no memory: ACK (0x0D, empty), HELLO_ACK (0x02: capabilities from
// parameters, the session's snapshot, boardId) and ERROR NO_SESSION (0x0C, frame NO_FRAME, message
// "no session: send HELLO first"). Every field is latched by link_tx for the duration of the frame;
// header bytes 2..8 (flags, seq, ack, credits) are supplied by link_tx itself, as for sequenced frames.
module unseq_frame #(
  parameter MAX_NEURONS = 2048,
  parameter MAX_SYNAPSES = 1048576,
  parameter MAX_INPUTS = 1024,
  parameter MAX_OUTPUTS = 256,
  parameter MAX_FRAME_RATE = 100000,
  parameter WINDOW = 3,
  parameter MAX_PAYLOAD = 1024,
  parameter ID_LEN = 8,
  parameter [8*32-1:0] BOARD_ID = "nla-up5k"
) (
  input      [1:0]  kind,           // 0 ACK, 1 HELLO_ACK, 2 NO_SESSION
  /* verilator lint_off UNUSEDSIGNAL */ // frames shorter than 128 bytes
  input      [12:0] off,
  /* verilator lint_on UNUSEDSIGNAL */
  /* verilator lint_off UNUSEDSIGNAL */
  input      [7:0]  ha_flags,       // bit 0 booted, bit 1 imageLoaded; bit 7 (not sent): no frame computed
  /* verilator lint_on UNUSEDSIGNAL */
  input      [31:0] ha_crc,         // (link_tx latches 0 without an image)
  input      [31:0] ha_last,        // (link_tx latches NO_FRAME with flag bit 7)
  output reg [7:0]  data,
  output     [12:0] frame_len       // 11 + payload length
);
  localparam [8*28-1:0] NS_TEXT = "no session: send HELLO first";
  wire [15:0] plen = (kind == 2'd1) ? 16'd32 + ID_LEN : (kind == 2'd2) ? 16'd35 : 16'd0;
  assign frame_len = 13'd11 + plen[12:0];
  /* verilator lint_off UNUSEDSIGNAL */ // u16 fields use the low half
  wire [31:0] c_neur = MAX_NEURONS, c_syn = MAX_SYNAPSES, c_in = MAX_INPUTS, c_out = MAX_OUTPUTS;
  wire [31:0] c_rate = MAX_FRAME_RATE, c_win = WINDOW, c_pay = MAX_PAYLOAD;
  /* verilator lint_on UNUSEDSIGNAL */
  wire [6:0] j = off[6:0] - 7'd11;      // every unsequenced frame is shorter than 128 bytes

  function [7:0] hello_ack_byte(input [6:0] jj);
    begin
      case (jj)
        7'd0: hello_ack_byte = 8'd1;
        7'd1: hello_ack_byte = 8'd0;
        7'd2: hello_ack_byte = c_neur[7:0];
        7'd3: hello_ack_byte = c_neur[15:8];
        7'd4: hello_ack_byte = c_syn[7:0];
        7'd5: hello_ack_byte = c_syn[15:8];
        7'd6: hello_ack_byte = c_syn[23:16];
        7'd7: hello_ack_byte = c_syn[31:24];
        7'd8: hello_ack_byte = c_in[7:0];
        7'd9: hello_ack_byte = c_in[15:8];
        7'd10: hello_ack_byte = c_out[7:0];
        7'd11: hello_ack_byte = c_out[15:8];
        7'd12: hello_ack_byte = 8'd16;
        7'd13: hello_ack_byte = 8'd28;
        7'd14: hello_ack_byte = c_rate[7:0];
        7'd15: hello_ack_byte = c_rate[15:8];
        7'd16: hello_ack_byte = c_rate[23:16];
        7'd17: hello_ack_byte = c_rate[31:24];
        7'd18: hello_ack_byte = c_win[7:0];
        7'd19: hello_ack_byte = c_win[15:8];
        7'd20: hello_ack_byte = c_pay[7:0];
        7'd21: hello_ack_byte = c_pay[15:8];
        7'd22: hello_ack_byte = {6'd0, ha_flags[1:0]};
        7'd23: hello_ack_byte = ha_crc[7:0];
        7'd24: hello_ack_byte = ha_crc[15:8];
        7'd25: hello_ack_byte = ha_crc[23:16];
        7'd26: hello_ack_byte = ha_crc[31:24];
        7'd27: hello_ack_byte = ha_last[7:0];
        7'd28: hello_ack_byte = ha_last[15:8];
        7'd29: hello_ack_byte = ha_last[23:16];
        7'd30: hello_ack_byte = ha_last[31:24];
        7'd31: hello_ack_byte = ID_LEN;
        default: hello_ack_byte = BOARD_ID[8*(ID_LEN - 1 - (jj - 7'd32)) +: 8];
      endcase
    end
  endfunction

  function [7:0] no_session_byte(input [6:0] jj);
    begin
      case (jj)
        7'd0: no_session_byte = 8'd9;
        7'd1: no_session_byte = 8'd0;
        7'd2, 7'd3, 7'd4, 7'd5: no_session_byte = 8'hFF;
        7'd6: no_session_byte = 8'd28;
        default: no_session_byte = NS_TEXT[8*(27 - (jj - 7'd7)) +: 8];
      endcase
    end
  endfunction

  always @(*) begin
    case (off[6:0])
      7'd0: data = 8'd1;
      7'd1: data = (kind == 2'd1) ? 8'h02 : (kind == 2'd2) ? 8'h0C : 8'h0D;
      7'd2, 7'd3, 7'd4, 7'd5, 7'd6, 7'd7, 7'd8: data = 8'd0;   // (flags, seq, ack, credits: link_tx)
      7'd9: data = plen[7:0];
      7'd10: data = plen[15:8];
      default: data = (kind == 2'd1) ? hello_ack_byte(j) : no_session_byte(j);
    endcase
  end
endmodule
