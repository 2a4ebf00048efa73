import { describe, expect, it } from 'vitest';
import { FpgaBuildError, ice40ToolsProblem, missingIce40Tools, nextpnrClocks, toolInstalled } from '../../host/fpga/ice40-build.js';

/**
 * The pure parts of the FPGA tooling (host/fpga/), without running any HDL tool: tool detection, the
 * reading of nextpnr's timing, the gateware parameters the capacity is read from, the line rate and the
 * RTL board's boot time.
 */

// captured from nextpnr-ice40 (frame_echo_top on the iCEBreaker): the placement and the routing timing summaries
const LOG_WITH_FMAX = `Info: SA placement time 1.27s

Info: Max frequency for clock 'clk_12m$SB_IO_IN_$glb_clk': 35.76 MHz (PASS at 12.00 MHz)

Info: Max delay <async>                           -> posedge clk_12m$SB_IO_IN_$glb_clk: 3.60 ns
Info: Max delay posedge clk_12m$SB_IO_IN_$glb_clk -> <async>                          : 4.95 ns

Info: Routing complete.
Info: 1.4 ns logic, 3.6 ns routing

Info: Max frequency for clock 'clk_12m$SB_IO_IN_$glb_clk': 34.88 MHz (PASS at 12.00 MHz)

Info: Max delay <async>                           -> posedge clk_12m$SB_IO_IN_$glb_clk: 3.78 ns
`;
const LOG_WITHOUT_FMAX = `Info: SA placement time 0.01s

Info: Max delay <async>                           -> <async>: 3.60 ns

Info: Routing complete.
Info: Program finished normally.
`;
const REPORT = JSON.stringify({
  critical_paths: [],
  fmax: { 'clk_12m$SB_IO_IN_$glb_clk': { achieved: 34.88331604003906, constraint: 12 } },
  utilization: { ICESTORM_LC: { available: 5280, used: 1106 } },
});

describe('iCE40 build: tools and nextpnr timing', () => {
  it('detects a tool by whether it starts, not by its exit status (icepack -h exits 1)', () => {
    // `node -e 'process.exit(1)'` starts and exits 1: installed
    expect(toolInstalled(process.execPath, ['-e', 'process.exit(1)'])).toBe(true);
    expect(toolInstalled('nla-no-such-tool-xyz', ['-h'])).toBe(false);
    const none = missingIce40Tools((cmd) => cmd !== 'icepack');
    expect(none).toEqual([{ tool: 'icepack', pkg: 'fpga-icestorm' }]);
    const err = ice40ToolsProblem(none);
    expect(err?.message).toMatch(/not installed: icepack \(Debian\/Ubuntu: apt-get install fpga-icestorm\)/);
    expect(ice40ToolsProblem([])).toBeNull();
  });

  it('reads fmax from the report, else from the log (the last figure per clock), and refuses a run that timed no clock', () => {
    expect(nextpnrClocks(REPORT, '')).toEqual({ 'clk_12m$SB_IO_IN_$glb_clk': { achieved: 34.88331604003906, constraint: 12 } });
    expect(nextpnrClocks(null, LOG_WITH_FMAX)).toEqual({ 'clk_12m$SB_IO_IN_$glb_clk': { achieved: 34.88, constraint: 12 } });
    expect(nextpnrClocks(JSON.stringify({ fmax: {} }), LOG_WITH_FMAX)['clk_12m$SB_IO_IN_$glb_clk']!.achieved).toBe(34.88);
    expect(() => nextpnrClocks(JSON.stringify({ fmax: {}, utilization: {} }), LOG_WITHOUT_FMAX)).toThrow(FpgaBuildError);
    expect(() => nextpnrClocks(null, LOG_WITHOUT_FMAX)).toThrow(/nextpnr reported no fmax for any clock/);
  });
});
