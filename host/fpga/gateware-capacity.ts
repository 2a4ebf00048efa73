import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Capabilities } from '../../hardware-models/fixed-point/capabilities.js';
import { framePayloadBytes } from '../../hardware-models/fixed-point/capabilities.js';
import { SIGNAL_FRAC, WEIGHT_FRAC } from '../../hardware-models/fixed-point/format.js';
import { synapseCount, type BoardImage } from '../../hardware-models/fixed-point/image.js';
import { repoRoot } from '../board/verilate.js';

/**
 * What the synthesized gateware holds, read from the parameters of its Verilog (one source of truth:
 * the same numbers the design announces in HELLO_ACK and sizes its memories by). `caps` are the
 * protocol's capabilities; `internal` the core's further limits, which the board refuses as CAPACITY
 * at the field of the image that exceeds them.
 */
export interface GatewareCapacity {
  caps: Capabilities;
  internal: {
    /** Population records the core holds (MAX_POPS of nla_core.v). */
    populations: number;
    /** Projection records (MAX_PROJ). */
    projections: number;
    /** Populations with a table activation (MAX_TABLES). */
    tables: number;
    /** Bytes of the image staging memory (IMG_BYTES). */
    imageBytes: number;
  };
  boardId: string;
}

/** The integer default of `parameter NAME = value` in a Verilog file (the first declaration of NAME). */
export function verilogParameter(text: string, name: string, file: string): number {
  const m = new RegExp(`parameter\\s+(?:\\[[^\\]]*\\]\\s*)?${name}\\s*=\\s*([0-9_]+)\\b`).exec(text);
  if (!m) throw new Error(`${file}: no integer parameter ${name}`);
  return Number(m[1]!.replace(/_/g, ''));
}

/** The capacity of gateware/board_top.v as built (its defaults, and nla_core's/board_link's where board_top passes none). */
export function gatewareCapacity(gatewareDir = join(repoRoot(), 'gateware')): GatewareCapacity {
  const read = (f: string) => ({ text: readFileSync(join(gatewareDir, f), 'utf8'), file: join(gatewareDir, f) });
  const top = read('board_top.v');
  const core = read('nla_core.v');
  const link = read('board_link.v');
  const p = (src: { text: string; file: string }, name: string) => verilogParameter(src.text, name, src.file);
  const maxPayload = p(top, 'MAX_PAYLOAD');
  const queueBytes = p(link, 'QMEM') - p(link, 'QBASE');
  const id = /\.BOARD_ID\("([^"]*)"\)/.exec(top.text);
  return {
    caps: {
      maxNeurons: p(top, 'MAX_NEURONS'),
      maxSynapses: p(top, 'MAX_SYNAPSES'),
      maxInputs: p(top, 'MAX_INPUTS'),
      maxOutputs: p(top, 'MAX_OUTPUTS'),
      signalFracBits: SIGNAL_FRAC,
      weightFracBits: WEIGHT_FRAC,
      maxFrameRate: p(top, 'MAX_FRAME_RATE'),
      // board_link.v: W = (QMEM − QBASE − 1) / (MAX_PAYLOAD + 3), the messages of the largest size its receive queue is sure to hold
      window: Math.floor((queueBytes - 1) / (maxPayload + 3)),
      maxPayload,
    },
    internal: {
      populations: p(core, 'MAX_POPS'),
      projections: p(core, 'MAX_PROJ'),
      tables: p(core, 'MAX_TABLES'),
      imageBytes: p(top, 'IMG_BYTES'),
    },
    boardId: id ? id[1]! : 'nla-up5k',
  };
}

/**
 * Every way an image exceeds the gateware, each naming what the network needs and what the design
 * offers (empty when it fits): the protocol's capabilities and the core's internal limits.
 */
export function gatewareProblems(img: BoardImage, imageBytes: number, g: GatewareCapacity): string[] {
  const out: string[] = [];
  const need = (what: string, needs: number, max: number, where: string) => {
    if (needs > max) out.push(`${what}: the network needs ${needs}, the gateware holds ${max} (${where})`);
  };
  need('neurons', img.nNeurons, g.caps.maxNeurons, 'MAX_NEURONS');
  need('synapses', synapseCount(img), g.caps.maxSynapses, 'MAX_SYNAPSES');
  need('input units', img.nInputs, g.caps.maxInputs, 'MAX_INPUTS');
  need('outputs', img.outputs.length, g.caps.maxOutputs, 'MAX_OUTPUTS');
  need('bytes per INPUT_FRAME payload', framePayloadBytes(img.nStimulusInputs), g.caps.maxPayload, 'MAX_PAYLOAD');
  need('image bytes', imageBytes, g.internal.imageBytes, 'IMG_BYTES');
  need('populations', img.populations.length, g.internal.populations, 'MAX_POPS of nla_core');
  need('projections', img.projections.length, g.internal.projections, 'MAX_PROJ of nla_core');
  need('populations with a table activation', img.populations.filter((q) => q.activation.kind === 'table').length, g.internal.tables, 'MAX_TABLES of nla_core');
  return out;
}
