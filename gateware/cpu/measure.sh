#!/bin/sh
# measure.sh: resources and fmax of the soft processor on the iCE40 UP5K (yosys 0.23 synth_ice40,
# nextpnr-ice40 --up5k --package sg48): cells after packing (--pack-only) and a full place and route at
# 12 MHz (--freq 12 --seed 1) of gateware/sim/softcpu_synth_wrap.v.
#   sh gateware/cpu/measure.sh [CORE_ONLY 0|1] [AW] [SHIFT_STEP] [SPRAM 0|1] [CRC_PORT 0|1]   (results under build/softcpu/measure-*)
set -e
CORE_ONLY=${1:-0}; AW=${2:-10}; STEP=${3:-8}; SPRAM=${4:-0}; CRC=${5:-0}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT="$ROOT/build/softcpu/measure-c$CORE_ONLY-aw$AW-s$STEP-sp$SPRAM-crc$CRC"
mkdir -p "$OUT"
cd "$ROOT/gateware"
yosys -q -l "$OUT/yosys.log" -p "read_verilog sim/softcpu_synth_wrap.v cpu/rv32_soc.v cpu/rv32_core.v cpu/rv32_regfile.v cpu/rv32_ram.v cpu/rv32_spram.v crc32.v; \
  chparam -set CORE_ONLY $CORE_ONLY -set AW $AW -set SHIFT_STEP $STEP -set SPRAM $SPRAM -set CRC_PORT $CRC softcpu_synth_wrap; \
  synth_ice40 -top softcpu_synth_wrap -json $OUT/wrap.json; tee -o $OUT/stat.txt stat" >/dev/null
yosys -q -p "read_verilog cpu/rv32_core.v cpu/rv32_regfile.v; chparam -set SHIFT_STEP $STEP rv32_core; synth_ice40 -top rv32_core; tee -o $OUT/core-stat.txt stat" >/dev/null
nextpnr-ice40 --up5k --package sg48 --pcf cpu/softcpu_wrap.pcf --json "$OUT/wrap.json" --pack-only --log "$OUT/pack.log" >/dev/null 2>&1
nextpnr-ice40 --up5k --package sg48 --pcf cpu/softcpu_wrap.pcf --json "$OUT/wrap.json" --freq 12 --seed 1 --asc "$OUT/wrap.asc" --log "$OUT/pnr.log" >/dev/null 2>&1
echo "== rv32_core alone (yosys stat)"; grep -E "SB_(LUT4|CARRY|DFF|RAM)" "$OUT/core-stat.txt" | awk '{s=s" "$1"="$2} END {print s}'
echo "== softcpu_synth_wrap CORE_ONLY=$CORE_ONLY AW=$AW SHIFT_STEP=$STEP SPRAM=$SPRAM CRC_PORT=$CRC (yosys stat)"; grep -E "SB_(LUT4|CARRY|DFF|RAM|SPRAM)" "$OUT/stat.txt" | awk '{s=s" "$1"="$2} END {print s}'
echo "== packed (--pack-only)"; grep -E "(ICESTORM_(LC|RAM)|ICESTORM_SPRAM): +[0-9]+/" "$OUT/pack.log" | tail -3
echo "== placed and routed"; grep -E "(ICESTORM_(LC|RAM)|ICESTORM_SPRAM): +[0-9]+/" "$OUT/pnr.log" | tail -3; grep -E "Max frequency for clock" "$OUT/pnr.log" | tail -1
