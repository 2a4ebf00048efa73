import { framePayloadBytes, type Capabilities } from './capabilities.js';
import { SIGNAL_FRAC, WEIGHT_FRAC } from './format.js';
import { synapseCount, type BoardImage } from './image.js';

/** An image does not fit a board: `reasons` says what, each naming the image's need and the board's limit. */
export class CapacityError extends Error {
  constructor(
    readonly reasons: string[],
    readonly boardId: string,
  ) {
    super(`the network does not fit board '${boardId}': ${reasons.join('; ')}`);
    this.name = 'CapacityError';
  }
}

/** Every way an image exceeds a board's capabilities (empty when it fits). */
export function capacityProblems(img: BoardImage, caps: Capabilities): string[] {
  const out: string[] = [];
  const need = (what: string, needs: number, max: number, field: string) => {
    if (needs > max) out.push(`it needs ${needs} ${what}, the board offers at most ${max} (${field})`);
  };
  need('neurons', img.nNeurons, caps.maxNeurons, 'maxNeurons');
  need('synapses', synapseCount(img), caps.maxSynapses, 'maxSynapses');
  need('inputs', img.nInputs, caps.maxInputs, 'maxInputs');
  need('outputs', img.outputs.length, caps.maxOutputs, 'maxOutputs');
  // an INPUT_FRAME carries 10 bytes of frame number, time and count, then 3 bytes per stimulus input
  need('bytes per input frame', framePayloadBytes(img.nStimulusInputs), caps.maxPayload, 'maxPayload');
  if (caps.signalFracBits !== SIGNAL_FRAC || caps.weightFracBits !== WEIGHT_FRAC) {
    out.push(`the image is in Q3.${SIGNAL_FRAC} signals and Q3.${WEIGHT_FRAC} weights, the board computes in Q·.${caps.signalFracBits} and Q·.${caps.weightFracBits}`);
  }
  return out;
}

/** Throws a CapacityError when the image does not fit. */
export function checkFits(img: BoardImage, caps: Capabilities, boardId: string): void {
  const p = capacityProblems(img, caps);
  if (p.length) throw new CapacityError(p, boardId);
}
