import { capacityProblems } from '../../hardware-models/fixed-point/fit.js';
import type { Capabilities } from '../../hardware-models/fixed-point/capabilities.js';
import { FixedPointCore } from '../../hardware-models/fixed-point/core.js';
import { decodeImage, ImageError, imageId } from '../../hardware-models/fixed-point/image-codec.js';
import { probeWidth, type BoardImage } from '../../hardware-models/fixed-point/image.js';
import { decodeVcoreImage, type VcoreBuild } from '../../hardware-models/fixed-point/vcore-image.js';
import { VcoreDriver } from '../../hardware-models/fixed-point/vcore-driver.js';
import { MachinePort } from '../../hardware-models/fixed-point/vcore-machine-port.js';
import { PARAM } from '../protocol/messages.js';

/**
 * The core behind a board's session: what the protocol's requests do to it (docs/protocol.md sections 7 and 11). The
 * board checks every request's fields before it calls in; a core only computes. Two cores: the reference
 * FixedPointCore on a board image (`nla-board-image/1`), and the vector core's firmware model (VcoreDriver over the
 * modelled core) on a vector-core image (`nla-vcore-image/1`, protocol 10.5).
 */
export interface BoardCore {
  /** Frames computed since the last reset. */
  readonly frames: number;
  /** The saturation counter (STATUS). */
  readonly saturations: number;
  readonly nStimulusInputs: number;
  readonly nOutputs: number;
  /** Values of an OUTPUT_FRAME with this probe mask. */
  probeWidth(probes: number): number;
  reset(): void;
  reloadWeights(): void;
  setTargets(values: ArrayLike<number>): void;
  /** SET_PARAM BETA_Q16 or ITERATIONS with a value the board has range-checked. */
  setParam(id: number, value: number): void;
  frame(inputs: ArrayLike<number>, learn: boolean, probes: number): Int32Array;
}

/** A decoded, checked image and its core at rest, or why the board refuses it (a protocol error code and the reason). */
export type LoadedCore = { ok: true; core: BoardCore; imageCrc: number; warm: () => Promise<void> } | { ok: false; code: 'BAD_IMAGE' | 'CAPACITY'; why: string };

/** The reference core on a board image. */
export function loadReferenceCore(bytes: Uint8Array, caps: Capabilities, boardId: string, warmUp: (img: BoardImage) => Promise<void>): LoadedCore {
  let img: BoardImage;
  try {
    img = decodeImage(bytes, 'LOAD_IMAGE');
  } catch (e) {
    return { ok: false, code: 'BAD_IMAGE', why: e instanceof ImageError ? e.message : String(e) };
  }
  const problems = capacityProblems(img, caps);
  if (problems.length) return { ok: false, code: 'CAPACITY', why: `board '${boardId}': ${problems.join('; ')}` };
  const core = new FixedPointCore(img);
  const board: BoardCore = {
    get frames() {
      return core.frames;
    },
    get saturations() {
      return core.saturations;
    },
    nStimulusInputs: img.nStimulusInputs,
    nOutputs: img.outputs.length,
    probeWidth: (p) => probeWidth(img, p),
    reset: () => core.reset(),
    reloadWeights: () => core.reloadWeights(),
    setTargets: (v) => core.setTargets(v),
    setParam: (id, v) => {
      if (id === PARAM.BETA_Q16) img.betaQ16 = v;
      else if (id === PARAM.ITERATIONS) img.iterations = v;
    },
    frame: (x, learn, probes) => core.frame(x, learn, probes),
  };
  return { ok: true, core: board, imageCrc: imageId(bytes), warm: () => warmUp(img) };
}

/**
 * The vector core on a vector-core image: checked against the board's build, installed through the modelled host
 * port. The board reports the board image's id the host compiled it from (sourceImageId), so a host resumes on it.
 */
export function loadVcoreCore(bytes: Uint8Array, build: VcoreBuild): LoadedCore {
  let driver: VcoreDriver;
  try {
    const vi = decodeVcoreImage(bytes, build, 'LOAD_IMAGE');
    driver = new VcoreDriver(vi, new MachinePort(build), build.weightWords);
    driver.install();
  } catch (e) {
    const why = e instanceof ImageError ? e.message : `LOAD_IMAGE: ${(e as Error).message}`;
    return { ok: false, code: 'BAD_IMAGE', why: String(bytes.subarray(0, 4)) === String(Uint8Array.of(0x4e, 0x4c, 0x41, 0x49)) ? `${why} (this board's core is the vector core: it takes nla-vcore-image/1, which a host compiles from the board image after CORE_INFO)` : why };
  }
  const io = driver.image.prog.io;
  const board: BoardCore = {
    get frames() {
      return driver.frames;
    },
    get saturations() {
      return driver.saturations;
    },
    nStimulusInputs: io.rin.length,
    nOutputs: io.out.length,
    probeWidth: (p) => (p & 1 ? io.out.length : 0) + (p & 2 ? io.out.length : 0) + (p & 4 ? io.out.length : 0) + (p & 8 ? io.allU.length : 0),
    reset: () => driver.reset(),
    reloadWeights: () => driver.reloadWeights(),
    setTargets: (v) => driver.setTargets(v),
    setParam: (id, v) => driver.setParam(id, v),
    frame: (x, learn, probes) => driver.frame(x, learn, probes),
  };
  return { ok: true, core: board, imageCrc: driver.image.sourceImageId, warm: async () => {} };
}
