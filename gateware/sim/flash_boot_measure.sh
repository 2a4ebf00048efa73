#!/bin/sh
# flash_boot_measure.sh: the size of gateware/flash_boot.v (with crc32.v) on the iCE40 UP5K: yosys 0.23
# `synth_ice40 -dsp -top flash_boot` (cells) and `nextpnr-ice40 --up5k --package sg48 --pack-only`
# (packed logic cells). Run from anywhere: sh gateware/sim/flash_boot_measure.sh [pnr]
set -e
cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d)}
yosys -q -l "$OUT/yosys.log" -p "read_verilog -I. flash_boot.v crc32.v; synth_ice40 -dsp -top flash_boot -json $OUT/flash_boot.json; tee -o $OUT/stat.txt stat" >/dev/null
nextpnr-ice40 --up5k --package sg48 --json "$OUT/flash_boot.json" --pack-only --log "$OUT/pack.log" >/dev/null 2>&1
echo "== flash_boot (yosys stat)"; grep -E "SB_(LUT4|CARRY|DFF|RAM|SPRAM|MAC)" "$OUT/stat.txt" | awk '{s=s" "$1"="$2} END {print s}'
echo "== packed (--pack-only)"; grep -E "ICESTORM_LC: +[0-9]+/" "$OUT/pack.log" | tail -1
# `... flash_boot_measure.sh pnr`: also flash_boot + one SPRAM (sim/flash_boot_synth_wrap.v) placed and
# routed at 12 MHz (seed 1) on the iCEBreaker's pins (boards/icebreaker.pcf + the probe pins).
if [ "$1" = pnr ]; then
  cp boards/icebreaker.pcf "$OUT/wrap.pcf"
  printf 'set_io probe_addr[0] 4\nset_io probe_addr[1] 2\nset_io probe_addr[2] 47\nset_io probe_addr[3] 45\nset_io probe 3\n' >> "$OUT/wrap.pcf"
  yosys -q -l "$OUT/yosys-wrap.log" -p "read_verilog -I. sim/flash_boot_synth_wrap.v flash_boot.v crc32.v spram.v; synth_ice40 -dsp -top flash_boot_synth_wrap -json $OUT/wrap.json" >/dev/null
  nextpnr-ice40 --up5k --package sg48 --pcf "$OUT/wrap.pcf" --json "$OUT/wrap.json" --freq 12 --seed 1 --asc "$OUT/wrap.asc" --log "$OUT/pnr.log" >/dev/null 2>&1
  echo "== flash_boot_synth_wrap placed and routed"; grep -E "ICESTORM_(LC|RAM|SPRAM): +[0-9]+/" "$OUT/pnr.log" | tail -3; grep -E "Max frequency for clock" "$OUT/pnr.log" | tail -1
fi
