// session_defs.vh: constants of the session (message types, error codes, message ids, FSM states, the
// byte source's addresses and the serial adder's operands).
localparam [7:0] T_OUTPUT = 8'h0A, T_STATUS = 8'h0B, T_ERROR = 8'h0C, T_END = 8'h0E;
localparam [15:0] E_BAD_IMAGE = 16'd1, E_NO_IMAGE = 16'd2, E_CAPACITY = 16'd3, E_BAD_FRAME = 16'd4,
  E_OUT_OF_ORDER = 16'd5, E_NOT_STREAMING = 16'd6, E_UNKNOWN = 16'd7, E_HISTORY = 16'd8,
  E_BAD_PARAM = 16'd10;
localparam [4:0] M_STREAMING_LOAD = 5'd1, M_IMG_SIZE = 5'd2, M_IMG_CHUNK = 5'd3, M_IMG_INVALID = 5'd4,
  M_IMG_CAPACITY = 5'd5, M_IMG_STAGING = 5'd6, M_NO_IMAGE = 5'd7, M_PARAM_RANGE = 5'd8, M_PROBES = 5'd9,
  M_PROBES_SIZE = 5'd10, M_START_ORDER = 5'd11, M_IN_NOT_STREAMING = 5'd12, M_TGT_NOT_STREAMING = 5'd13,
  M_ORDER = 5'd14, M_COUNT = 5'd15, M_MALFORMED = 5'd16, M_UNKNOWN_TYPE = 5'd17, M_NOT_ACCEPTED = 5'd18,
  M_HISTORY = 5'd19, M_PARAM_NO_IMAGE = 5'd20;   // (20: SET_PARAM without an image, NO_IMAGE's text)
localparam [5:0] S_IDLE = 6'd0, S_FETCH = 6'd1, S_DISPATCH = 6'd2, S_LOAD_COPY = 6'd3, S_LOAD_WAIT = 6'd4,
  S_VAL_COPY = 6'd5, S_GO_WAIT = 6'd6, S_OUT_HIST = 6'd7,
  S_OUT_REQ = 6'd10, S_OUT_WAITV = 6'd11, S_OUT_W = 6'd12, S_OUT_END = 6'd13, S_EMIT_ROOM = 6'd14,
  S_EMIT = 6'd15, S_RS_NEXT = 6'd16, S_RS_C1 = 6'd17, S_RS_C2 = 6'd18, S_RS_C3 = 6'd19, S_ROOM = 6'd20,
  S_RS_COPY = 6'd21, S_RS_WAIT = 6'd22, S_POP = 6'd23, S_POP2 = 6'd24, S_ALU = 6'd25, S_FAIL = 6'd26,
  S_FAIL2 = 6'd27, S_LI1 = 6'd28, S_LI2 = 6'd29, S_LI3 = 6'd30, S_LI4 = 6'd31, S_LI_T = 6'd32,
  S_LI5 = 6'd33, S_LOAD_FIN = 6'd34, S_SS1 = 6'd35, S_VF1 = 6'd36, S_RS1 = 6'd37, S_RS2 = 6'd38,
  S_RS3 = 6'd39, S_RS4 = 6'd40, S_WF1 = 6'd41, S_WF2 = 6'd42, S_WF3 = 6'd43, S_VF2 = 6'd44, S_WF4 = 6'd45,
  S_SW1 = 6'd46, S_WF5 = 6'd47;
// byte source addresses (src): the message's bytes e[0..15], the session's numbers r[0..19] (LSB first),
// the core's counters
localparam [5:0] A_MTYPE = 6'd0, A_P0 = 6'd3, A_P4 = 6'd7, A_P6 = 6'd9, A_P8 = 6'd11, A_LAST = 6'd16, A_REJ = 6'd20, A_TOT = 6'd28,
  A_TEMP = 6'd32, A_ERROFF = 6'd44, A_NOUT = 6'd46, A_NSTIM = 6'd48, A_NNEUR = 6'd54, A_WFC = 6'd56, A_ZERO = 6'd60;
// operand B (bsrc) and the written number (r[4*W ..])
localparam [2:0] B_ZERO = 3'd0, B_LAST = 3'd1, B_GOT = 3'd2, B_TOT = 3'd3, B_TEMP = 3'd4, B_MLEN8 = 3'd5,
  B_HCOUNT = 3'd6, B_N5 = 3'd7;   // (B_N5: number 5, the value count of INPUT/TARGET_FRAME)
localparam [2:0] W_LAST = 3'd0, W_REJ = 3'd1, W_GOT = 3'd2, W_TOT = 3'd3, W_TEMP = 3'd4, W_N5 = 3'd5;
localparam [1:0] N1 = 2'd0, N2 = 2'd1, N4 = 2'd2;   // bytes of operand A (the rest reads 0)
