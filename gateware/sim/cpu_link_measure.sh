#!/bin/sh
# cpu_link_measure.sh: resources and fmax of cpu_link (gateware/cpu_link.v: the soft processor, one SPRAM,
# the HAL peripherals) on the iCE40 UP5K: yosys 0.23 `synth_ice40 -dsp -top cpu_link` and
# `nextpnr-ice40 --up5k --package sg48 --pack-only` (packed cells), and a full place and route at 12 MHz
# (--freq 12 --seed 1) of gateware/sim/cpu_link_synth_wrap.v (pins of gateware/cpu/softcpu_wrap.pcf).
#   sh gateware/sim/cpu_link_measure.sh       (results under build/cpu-link-measure/)
#   sh gateware/sim/cpu_link_measure.sh board the whole board (gateware/board_top.v, with cpu_link, in
#                                             ice40_top, as `nla fpga build` synthesizes it): yosys
#                                             stat and packed cells (results under build/cpu-board/)
set -e
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$1" = board ]; then
  OUT="$ROOT/build/cpu-board"
  mkdir -p "$OUT"
  cd "$ROOT/gateware"
  yosys -q -l "$OUT/yosys.log" -p "read_verilog -DBOARD_TOP=board_top -DBOARD_TOP_FLASH -I. boards/ice40_top.v $(ls *.v | tr '\n' ' ') \
    cpu/rv32_core.v cpu/rv32_regfile.v; chparam -set CLK_HZ 12000000 -set BAUD 921600 ice40_top; \
    synth_ice40 -dsp -top ice40_top -json $OUT/design.json; tee -q -o $OUT/stat.txt stat" >/dev/null
  nextpnr-ice40 --up5k --package sg48 --json "$OUT/design.json" --pack-only -q -l "$OUT/pack.log" >/dev/null 2>&1
  echo "== ice40_top(board_top) (yosys stat)"; grep -E "SB_(LUT4|CARRY|DFF|RAM|SPRAM|MAC)" "$OUT/stat.txt" | awk '{s=s" "$1"="$2} END {print s}'
  echo "== packed (--pack-only)"; grep -E "ICESTORM_(LC|RAM|SPRAM|DSP): +[0-9]+/" "$OUT/pack.log" | tail -4
  exit 0
fi
OUT="$ROOT/build/cpu-link-measure"
mkdir -p "$OUT"
cd "$ROOT/gateware"
SRC="cpu_link.v cpu_link_ram.v cpu_link_rx.v cpu_link_tx.v cpu_link_coreio.v ms_clock.v cpu/rv32_core.v cpu/rv32_regfile.v"
yosys -q -l "$OUT/yosys.log" -p "read_verilog -I. $SRC; synth_ice40 -dsp -top cpu_link -json $OUT/cpu_link.json; tee -o $OUT/stat.txt stat" >/dev/null
nextpnr-ice40 --up5k --package sg48 --json "$OUT/cpu_link.json" --pack-only --log "$OUT/pack.log" >/dev/null 2>&1
yosys -q -l "$OUT/yosys-wrap.log" -p "read_verilog -I. sim/cpu_link_synth_wrap.v $SRC; synth_ice40 -dsp -top cpu_link_synth_wrap -json $OUT/wrap.json; tee -o $OUT/wrap-stat.txt stat" >/dev/null
nextpnr-ice40 --up5k --package sg48 --pcf cpu/softcpu_wrap.pcf --json "$OUT/wrap.json" --freq 12 --seed 1 --asc "$OUT/wrap.asc" --log "$OUT/pnr.log" >/dev/null 2>&1
echo "== cpu_link (yosys stat)"; grep -E "SB_(LUT4|CARRY|DFF|RAM|SPRAM|MAC)" "$OUT/stat.txt" | awk '{s=s" "$1"="$2} END {print s}'
echo "== packed (--pack-only)"; grep -E "ICESTORM_(LC|RAM|SPRAM): +[0-9]+/" "$OUT/pack.log" | tail -3
echo "== cpu_link_synth_wrap placed and routed"; grep -E "ICESTORM_(LC|RAM|SPRAM): +[0-9]+/" "$OUT/pnr.log" | tail -3; grep -E "Max frequency for clock" "$OUT/pnr.log" | tail -1
