import { UsageError } from '../core/errors.js';
import { readInputFile } from '../core/input-file.js';
import { readJsonFile } from '../core/json-file.js';
import { parseTimeMs } from '../core/units.js';
import { compileBoardImage, type BoardCompileResult } from '../compiler/board/compile-image.js';
import { buildGraph } from '../compiler/graph/build.js';
import { withStateWeights } from '../compiler/graph/state-weights.js';
import { loadSpecFile } from '../compiler/spec/load.js';
import { decodeImageFile, encodeImage, IMAGE_MAGIC } from '../hardware-models/fixed-point/image-codec.js';
import type { BoardImage } from '../hardware-models/fixed-point/image.js';

export interface ImageSourceOptions {
  state?: string;
  /** The fixed-point core's Euler step (`--board-dt`). */
  boardDt?: string;
  frame?: string;
  /** Iterations of the core's implicit solve per step (`--board-iterations`). */
  boardIterations?: string;
  relaxShift?: string;
}

export interface LoadedImage {
  image: BoardImage;
  bytes: Uint8Array;
  /** Present when the image was compiled here from a spec. */
  compiled: BoardCompileResult | null;
}

/** Compiles a spec (with trained weights from --state) into a board image. */
export function compileImageFromSpec(spec: string, o: ImageSourceOptions): BoardCompileResult {
  let graph = buildGraph(loadSpecFile(spec));
  if (o.state) graph = withStateWeights(graph, readJsonFile(o.state), o.state);
  const int = (v: string | undefined, what: string) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new UsageError(`${what}: expected an integer, got '${v}'`);
    return n;
  };
  return compileBoardImage(graph, {
    dtMs: parseTimeMs(o.boardDt ?? '0.1ms', '--board-dt'),
    frameMs: parseTimeMs(o.frame ?? '1ms', '--frame'),
    ...(o.boardIterations !== undefined ? { iterations: int(o.boardIterations, '--board-iterations')! } : {}),
    ...(o.relaxShift !== undefined ? { relaxShift: int(o.relaxShift, '--relax-shift')! } : {}),
  });
}

/** A board image from a file: a binary image (nla image --out) or a network spec compiled here. */
export function loadImageFile(path: string, o: ImageSourceOptions = {}): LoadedImage {
  const raw = new Uint8Array(readInputFile(path));
  if (String.fromCharCode(...raw.subarray(0, 4)) === IMAGE_MAGIC) {
    if (o.state) throw new UsageError(`--state: ${path} is already a board image; compile the spec with the state instead`);
    const given = (['boardDt', 'frame', 'boardIterations', 'relaxShift'] as const).find((k) => o[k] !== undefined);
    if (given) throw new UsageError(`--${given.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}: ${path} is already a board image with its own step, frame, iterations and relaxation`);
    return { image: decodeImageFile(raw, path), bytes: raw, compiled: null };
  }
  const compiled = compileImageFromSpec(path, o);
  return { image: compiled.image, bytes: encodeImage(compiled.image), compiled };
}

/** `pop[i]` label of a neuron of an image. */
export function imageNeuronLabel(img: BoardImage, i: number): string {
  for (const p of img.populations) if ((p.kind === 'hidden' || p.kind === 'output') && i >= p.offset && i < p.offset + p.size) return `${p.name}[${i - p.offset}]`;
  return `neuron ${i}`;
}

/** Labels of the stimulus inputs (`in[0]` …), as input CSV headers name them. */
export function imageInputLabels(img: BoardImage): string[] {
  return img.populations.filter((p) => p.kind === 'input').flatMap((p) => Array.from({ length: p.size }, (_, j) => `${p.name}[${j}]`));
}
