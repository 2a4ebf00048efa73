// session_defs.vh: constants of the session (message types, error codes, message ids, FSM states).
localparam [7:0] T_OUTPUT = 8'h0A, T_STATUS = 8'h0B, T_ERROR = 8'h0C, T_END = 8'h0E;
localparam [15:0] E_BAD_IMAGE = 16'd1, E_NO_IMAGE = 16'd2, E_CAPACITY = 16'd3, E_BAD_FRAME = 16'd4,
  E_OUT_OF_ORDER = 16'd5, E_NOT_STREAMING = 16'd6, E_UNKNOWN = 16'd7, E_HISTORY = 16'd8,
  E_BAD_PARAM = 16'd10;
// BAD_FRAME for a payload that does not decode: not counted in rejectedFrames (as the reference)
localparam [15:0] E_BAD_FRAME_NC = 16'h8004;
localparam [4:0] M_STREAMING_LOAD = 5'd1, M_IMG_SIZE = 5'd2, M_IMG_CHUNK = 5'd3, M_IMG_INVALID = 5'd4,
  M_IMG_CAPACITY = 5'd5, M_IMG_STAGING = 5'd6, M_NO_IMAGE = 5'd7, M_PARAM_RANGE = 5'd8, M_PROBES = 5'd9,
  M_PROBES_SIZE = 5'd10, M_START_ORDER = 5'd11, M_IN_NOT_STREAMING = 5'd12, M_TGT_NOT_STREAMING = 5'd13,
  M_ORDER = 5'd14, M_COUNT = 5'd15, M_MALFORMED = 5'd16, M_UNKNOWN_TYPE = 5'd17, M_NOT_ACCEPTED = 5'd18,
  M_HISTORY = 5'd19;
localparam [5:0] S_IDLE = 6'd0, S_FETCH = 6'd1, S_DISPATCH = 6'd2, S_LOAD_COPY = 6'd3, S_LOAD_WAIT = 6'd4,
  S_VAL_COPY = 6'd5, S_GO_WAIT = 6'd6, S_OUT_HIST = 6'd7, S_OUT_HDR = 6'd9,
  S_OUT_REQ = 6'd10, S_OUT_WAITV = 6'd11, S_OUT_W = 6'd12, S_OUT_END = 6'd13, S_EMIT_ROOM = 6'd14,
  S_EMIT = 6'd15, S_RS_NEXT = 6'd16, S_RS_C1 = 6'd17, S_RS_C2 = 6'd18, S_RS_C3 = 6'd19, S_ROOM = 6'd20,
  S_RS_COPY = 6'd21, S_RS_WAIT = 6'd22, S_POP = 6'd23, S_POP2 = 6'd24;
