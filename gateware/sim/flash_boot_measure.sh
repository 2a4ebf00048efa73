#!/bin/sh
# flash_boot_measure.sh: the size of gateware/flash_boot.v (with crc32.v) on the iCE40 UP5K: yosys 0.23
# `synth_ice40 -dsp -top flash_boot` (cells) and `nextpnr-ice40 --up5k --package sg48 --pack-only`
# (packed logic cells). Run from anywhere: sh gateware/sim/flash_boot_measure.sh [yosys -chparam ...]
set -e
cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d)}
yosys -q -l "$OUT/yosys.log" -p "read_verilog -I. flash_boot.v crc32.v; $* synth_ice40 -dsp -top flash_boot -json $OUT/flash_boot.json; tee -o $OUT/stat.txt stat" >/dev/null
nextpnr-ice40 --up5k --package sg48 --json "$OUT/flash_boot.json" --pack-only --log "$OUT/pack.log" >/dev/null 2>&1
echo "== flash_boot (yosys stat)"; grep -E "SB_(LUT4|CARRY|DFF|RAM|SPRAM|MAC)" "$OUT/stat.txt" | awk '{s=s" "$1"="$2} END {print s}'
echo "== packed (--pack-only)"; grep -E "ICESTORM_LC: +[0-9]+/" "$OUT/pack.log" | tail -1
