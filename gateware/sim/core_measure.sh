#!/bin/sh
# core_measure.sh: resources of nla_core for a number format (FORMAT 0 WIDE, 1 UP5K16) on the iCE40 UP5K:
# yosys 0.23 `synth_ice40 -dsp -top nla_core` (stat), `nextpnr-ice40 --up5k --package sg48 --pack-only`
# (packed cells), and with `pnr` a full place and route (--freq 12 --seed 1) of gateware/sim/core_synth_wrap.v
# (pins of gateware/cpu/softcpu_wrap.pcf) for fmax.
#   sh gateware/sim/core_measure.sh 1 [pnr]     (results under build/core-measure/f<FORMAT>/)
set -e
F=${1:-0}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/build/core-measure/f$F"
mkdir -p "$OUT"
cd "$ROOT/gateware"
SRC="nla_core.v nla_mul.v nla_wmem.v spram.v nla_rsat.v"
yosys -q -l "$OUT/yosys.log" -p "read_verilog -I. $SRC; chparam -set FORMAT $F nla_core; synth_ice40 -dsp -top nla_core -json $OUT/core.json; tee -q -o $OUT/stat.txt stat" >/dev/null
nextpnr-ice40 --up5k --package sg48 --json "$OUT/core.json" --pack-only --report "$OUT/pack.json" --log "$OUT/pack.log" >/dev/null 2>&1 || true
echo "== nla_core FORMAT $F (yosys stat)"; grep -E "SB_(LUT4|CARRY|DFF|RAM|SPRAM|MAC)" "$OUT/stat.txt" | awk '{s=s" "$1"="$2} END {print s}'
echo "== packed (--pack-only)"; grep -E "ICESTORM_(LC|RAM|SPRAM|DSP): +[0-9]+/" "$OUT/pack.log" | tail -4
if [ "$2" = pnr ]; then
  yosys -q -l "$OUT/yosys-wrap.log" -p "read_verilog -I. sim/core_synth_wrap.v $SRC; chparam -set FORMAT $F core_synth_wrap; synth_ice40 -dsp -top core_synth_wrap -json $OUT/wrap.json; tee -q -o $OUT/wrap-stat.txt stat" >/dev/null
  nextpnr-ice40 --up5k --package sg48 --pcf cpu/softcpu_wrap.pcf --json "$OUT/wrap.json" --freq 12 --seed 1 --asc "$OUT/wrap.asc" --report "$OUT/pnr.json" --log "$OUT/pnr.log" >/dev/null 2>&1 || true
  echo "== core_synth_wrap FORMAT $F placed and routed"; grep -E "ICESTORM_(LC|RAM|SPRAM|DSP): +[0-9]+/" "$OUT/pnr.log" | tail -4; grep -E "Max frequency for clock|ERROR" "$OUT/pnr.log" | tail -2
fi
