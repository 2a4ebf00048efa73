#!/bin/sh
# Area of a vcore module: yosys 0.23 synth_ice40 -dsp, then nextpnr-ice40 --up5k --pack-only (packed cells).
# usage: gateware/vcore/synth.sh [top] [outdir]   (one run; abc varies a few % between versions)
# parameters: VCORE_CHPARAM="-set NB 6 -set BW 64'h..." (yosys chparam arguments for the top)
set -e
top=${1:-vcore_elem}
out=${2:-/tmp/vcore-synth}
mkdir -p "$out"
dir=$(dirname "$0")
# every module of the folder (vcore instantiates vcore_banks and vcore_elem); -top picks the one measured
srcs="$(ls "$dir"/*.v | tr '\n' ' ') $dir/../spram.v"  # + the SPRAM wrapper (vcore's W)
yosys -q -l "$out/yosys.log" -p "read_verilog $srcs; ${VCORE_CHPARAM:+chparam $VCORE_CHPARAM $top;} synth_ice40 -dsp -top $top -json $out/$top.json; stat" >/dev/null
sed -n "/Number of cells/,/^$/p" "$out/yosys.log" | tail -8
nextpnr-ice40 --up5k --package sg48 --pack-only --json "$out/$top.json" -l "$out/nextpnr.log" >/dev/null 2>&1 || true
grep -E 'ICESTORM_LC|ICESTORM_DSP' "$out/nextpnr.log" | head -4
