// rv32_core: a small multi-cycle RV32I processor for the iCE40 UP5K (no CSRs, no interrupts, no
// exceptions; ECALL and EBREAK halt it; FENCE is a no-op). Built for area rather than speed:
//  - the registers are block RAM (rv32_regfile: one registered read port), read one operand per cycle:
//    rs1 is latched into A, rs2 is used straight from the read port, which keeps presenting it until
//    the instruction ends (nothing writes the register file before the instruction's last use of rs2);
//  - one 32-bit adder does every addition and comparison: the instruction address, load/store
//    addresses, ADD/SUB/SLT/SLTU and branch conditions, pc + 4, JAL/JALR return addresses and jump and
//    branch targets; the memory address is always the adder's sum;
//  - shifts are serial on A: SHIFT_STEP (4 or 8) bit positions a cycle while that many are left, then
//    one a cycle (SHIFT_STEP 1: one a cycle only).
// Memory bus: mem_valid holds with a stable address (and wdata/wstrb) until mem_ready; wstrb is zero
// for reads; the address is byte-granular, and the slave returns the aligned 32-bit word.
// The next pc is computed in S_PC and requested from memory in the same cycle (the address is the sum
// then, and pc + 0 in S_FETCH: the same address while valid stays up); a load is requested from S_DECODE
// (rs1 + imm from the read port, then from A in S_MEM: the same address). A slave answers (mem_ready)
// no earlier than the cycle after mem_valid rises, as rv32_soc's do: a load ignores a same-cycle answer.
// Cycles (with a slave that answers one cycle after valid): next pc and fetch 2, decode 1 (which executes
// immediate ALU ops, LUI, AUIPC, JAL, JALR and requests loads): 3 for those; register ALU ops and
// branches: execute 1 (4); loads 4, stores 5 (memory 2); shifts: 3 (immediate) or 4 (register) + the
// shift (shamt cycles for SHIFT_STEP 1, shamt/S + shamt%S for S = 4 or 8) + 1.
module rv32_core #(
  parameter [31:0] RESET_PC = 32'h0000_0000,
  parameter integer SHIFT_STEP = 8
) (
  input         clk,
  input         rst,
  output        mem_valid,
  output [31:0] mem_addr,
  output [31:0] mem_wdata,
  output [3:0]  mem_wstrb,
  input         mem_ready,
  input  [31:0] mem_rdata,
  output        retire,      // one cycle per completed instruction
  output        halted       // after ECALL or EBREAK
);
  localparam [2:0] S_FETCH = 3'd0, S_DECODE = 3'd1, S_EXEC = 3'd2, S_MEM = 3'd3, S_SHIFT = 3'd4, S_PC = 3'd5,
                   S_HALT = 3'd6;

  reg [2:0]  state;
  reg [31:0] pc;
  /* verilator lint_off UNUSEDSIGNAL */
  reg [31:0] ir;       // the instruction (bits 1:0 are always 11 in RV32I and not looked at)
  /* verilator lint_on UNUSEDSIGNAL */
  reg [31:0] a;        // rs1, then the shift operand
  reg [4:0]  cnt;      // shift amount left
  reg        taken;    // branch condition (set in S_EXEC, used in S_PC)

  // ---- decode
  wire [4:0] opc = ir[6:2];
  wire [2:0] f3 = ir[14:12];
  wire [4:0] rd = ir[11:7];
  wire op_lui = opc == 5'b01101, op_auipc = opc == 5'b00101, op_jal = opc == 5'b11011, op_jalr = opc == 5'b11001;
  wire op_branch = opc == 5'b11000, op_load = opc == 5'b00000, op_store = opc == 5'b01000;
  wire op_imm = opc == 5'b00100, op_reg = opc == 5'b01100, op_system = opc == 5'b11100;
  wire op_alu = op_imm | op_reg;
  wire is_shift = op_alu & (f3[1:0] == 2'b01);
  wire [31:0] imm_i = {{21{ir[31]}}, ir[30:20]};
  wire [31:0] imm_s = {{21{ir[31]}}, ir[30:25], ir[11:7]};
  wire [31:0] imm_b = {{20{ir[31]}}, ir[7], ir[30:25], ir[11:8], 1'b0};
  wire [31:0] imm_u = {ir[31:12], 12'd0};
  wire [31:0] imm_j = {{12{ir[31]}}, ir[19:12], ir[20], ir[30:21], 1'b0};
  wire [31:0] imm = op_store ? imm_s : op_branch ? imm_b : (op_lui | op_auipc) ? imm_u : op_jal ? imm_j : imm_i;

  // ---- register file: read rs1 as the instruction arrives, then rs2 for the rest of the instruction
  wire [31:0] rs2v;
  wire        fetching = (state == S_FETCH) | (state == S_PC);  // the next instruction is requested from S_PC on
  wire        rf_we;
  wire [31:0] rf_wd;
  rv32_regfile u_rf (.clk(clk), .we(rf_we), .wa(rd), .wd(rf_wd),
    .ra(fetching ? (mem_rdata[6:2] == 5'b01101 ? 5'd0 : mem_rdata[19:15]) : ir[24:20]), .rd(rs2v));  // LUI reads x0

  // ---- the shared adder: sum = opa + (opb ^ {32{sub}}) + sub
  // S_DECODE executes what needs no rs2: the read port then holds rs1, which is the first operand of
  // immediate ALU ops and load/store addresses; LUI/AUIPC/JAL/JALR write rd there too.
  wire dec = state == S_DECODE;
  wire ex = state == S_EXEC;
  wire in_pc = state == S_PC;
  wire early = op_imm & ~is_shift | op_lui | op_auipc | op_jal | op_jalr;  // rd written in S_DECODE
  wire sub = (ex & (op_branch | (op_reg & (f3 == 3'b010 | f3 == 3'b011 | (f3 == 3'b000 & ir[30])))))
           | (dec & op_imm & (f3 == 3'b010 | f3 == 3'b011));
  // first operand: rs1 from the read port in S_DECODE (x0 for LUI: its fetch reads register 0), pc to
  // fetch, for AUIPC/JAL/JALR's return address and for the next pc (not JALR), else a (rs1 latched)
  wire opa_rf = dec & ~(op_auipc | op_jal | op_jalr);
  wire opa_pc = (state == S_FETCH) | (dec & (op_auipc | op_jal | op_jalr)) | (in_pc & ~op_jalr);
  wire [31:0] opa = opa_rf ? rs2v : opa_pc ? pc : a;
  // second operand: rs2 (register ALU ops, branches), the immediate, 4 (return address, next pc) or 0 (fetch)
  wire opb_rs2 = ex & (op_reg | op_branch);
  wire opb_four = (dec & (op_jal | op_jalr)) | (in_pc & ~(op_jal | op_jalr | taken));
  wire opb_zero = state == S_FETCH;
  wire [31:0] bsel = opb_rs2 ? rs2v : opb_four ? 32'd4 : opb_zero ? 32'd0 : imm;
  wire [32:0] sum = {1'b0, opa} + {1'b0, bsel ^ {32{sub}}} + {32'd0, sub};
  wire ltu = ~sum[32];
  wire lt = (opa[31] ^ bsel[31]) ? opa[31] : sum[31];
  wire eq = sum[31:0] == 32'd0;  // branches subtract

  // ---- ALU results
  wire [31:0] bval = bsel;  // rs2 for register ops (S_EXEC), the I immediate for immediate ops (S_DECODE)
  wire lg = op_alu & f3[2] & (f3[1:0] != 2'b01);  // XOR, OR, AND
  wire setlt = op_alu & (f3[2:1] == 2'b01);         // SLT, SLTU
  wire [31:0] lres = f3[1] ? (f3[0] ? opa & bval : opa | bval) : opa ^ bval;
  wire [31:0] alu = lg ? lres : setlt ? {31'd0, f3[0] ? ltu : lt} : sum[31:0];

  // ---- memory
  wire [1:0] off = sum[1:0];
  wire in_mem = state == S_MEM;
  assign mem_valid = fetching | in_mem | (dec & op_load);  // a load is requested from S_DECODE on (a store
                                                           // waits for rs2 in S_MEM)
  assign mem_addr = sum[31:0];
  assign mem_wdata = f3[1:0] == 2'b00 ? {4{rs2v[7:0]}} : f3[1:0] == 2'b01 ? {2{rs2v[15:0]}} : rs2v;
  assign mem_wstrb = ~(in_mem & op_store) ? 4'b0000
    : f3[1:0] == 2'b00 ? (4'b0001 << off) : f3[1:0] == 2'b01 ? (off[1] ? 4'b1100 : 4'b0011) : 4'b1111;
  wire [15:0] half = off[1] ? mem_rdata[31:16] : mem_rdata[15:0];
  wire [7:0]  byte_ = off[0] ? half[15:8] : half[7:0];
  wire [31:0] ldv = f3[1:0] == 2'b00 ? {{24{~f3[2] & byte_[7]}}, byte_}
                  : f3[1:0] == 2'b01 ? {{16{~f3[2] & half[15]}}, half} : mem_rdata;

  // ---- shifter: left (SLL), right logical (SRL) or arithmetic (SRA, ir[30])
  wire right = f3[2];
  wire fill = ir[30] & a[31];
  wire [31:0] sh1 = right ? {fill, a[31:1]} : {a[30:0], 1'b0};
  localparam integer SB = SHIFT_STEP > 1 ? SHIFT_STEP : 2;  // the wide step (unused for SHIFT_STEP 1)
  wire [31:0] shb = right ? {{SB{fill}}, a[31:SB]} : {a[31-SB:0], {SB{1'b0}}};
  wire big = (SHIFT_STEP > 1) && (cnt >= SB[4:0]);
  wire shift_done = cnt == 5'd0;

  // ---- write-back
  wire in_shift = state == S_SHIFT;
  assign rf_wd = in_mem ? ldv : in_shift ? a : alu;
  assign rf_we = (rd != 5'd0) & ((dec & early) | (ex & op_reg & ~is_shift)
    | (in_mem & op_load & mem_ready) | (in_shift & shift_done));

  assign retire = in_pc;
  assign halted = state == S_HALT;

  always @(posedge clk) begin
    if (rst) begin
      state <= S_FETCH;
      pc <= RESET_PC;
      taken <= 1'b0;
    end else begin
      case (state)
        S_FETCH: if (mem_ready) begin
          ir <= mem_rdata;
          state <= S_DECODE;
        end
        S_DECODE: begin
          a <= rs2v;  // the read port holds rs1 this cycle
          cnt <= ir[24:20];
          state <= (op_load | op_store) ? S_MEM : early ? S_PC : (op_imm & is_shift) ? S_SHIFT : S_EXEC;
        end
        S_EXEC: begin
          taken <= op_branch & ((f3[2] ? (f3[1] ? ltu : lt) : eq) ^ f3[0]);
          cnt <= rs2v[4:0];
          state <= is_shift ? S_SHIFT : op_system ? S_HALT : S_PC;
        end
        S_MEM: if (mem_ready) state <= S_PC;
        S_SHIFT: begin
          if (shift_done) state <= S_PC;
          else if (big) begin
            a <= shb;
            cnt <= cnt - SB[4:0];
          end else begin
            a <= sh1;
            cnt <= cnt - 5'd1;
          end
        end
        S_PC: begin  // the sum is the next pc, requested from memory already in this cycle
          pc <= {sum[31:2], 2'b00};
          taken <= 1'b0;
          if (mem_ready) begin
            ir <= mem_rdata;
            state <= S_DECODE;
          end else state <= S_FETCH;
        end
        default: state <= S_HALT;
      endcase
    end
  end
endmodule
