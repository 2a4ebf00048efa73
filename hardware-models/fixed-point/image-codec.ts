import { ByteWriter } from '../../core/bytes.js';
import { BETA_MAX_Q16, MAX_FAN } from './format.js';
import { FieldReader, ImageError, openContainer, sealContainer } from './image-container.js';
import { InputError } from '../../core/errors.js';
import { IMAGE_FORMAT, TABLE_KNOTS, type BoardActivation, type BoardImage, type BoardPopulation, type BoardProjection } from './image.js';

/**
 * The binary form of a board image, the bytes LOAD_IMAGE carries (docs/protocol.md, "Board image").
 * Little-endian throughout:
 *
 *   header   "NLAI" u16 version=1 u16 flags=0 u32 totalBytes u32 dtNs u16 stepsPerFrame u16 iterations
 *            u8 relaxShift u8 reserved=0 u32 betaQ16 u16 nInputs u16 nStimulusInputs u16 nNeurons
 *            u16 nOutputs u16 nPopulations u16 nProjections str name
 *   population  u8 kind (0 input, 1 bias, 2 hidden, 3 output) u16 size u16 offset u32 decayQ24
 *            u8 activation (0 linear, 1 clip, 2 table; 0 for input and bias) [clip: i32 topQ] [table: str source,
 *            257×i32 ρ, 257×i32 ρ', 257×i32 ρ''] str name
 *   outputs  nOutputs × u16 neuron index
 *   projection  u8 preKind (0 input, 1 neuron) u16 prePop u16 postPop u16 rows u16 cols u32 etaDtQ24
 *            str name, rows·cols × i32 weight registers (row-major)
 *   trailer  u32 CRC-32 of every byte before it
 * `str` is a u8 length and that many bytes of UTF-8.
 */
export { ImageError };
export const IMAGE_MAGIC = 'NLAI';
export const IMAGE_VERSION = 1;

const KINDS = ['input', 'bias', 'hidden', 'output'] as const;
const ACTS = ['linear', 'clip', 'table'] as const;

/** A board image as the bytes the board loads (magic `NLAI`, version, header, tables and weights); `decodeImage` reads them back. */
export function encodeImage(img: BoardImage): Uint8Array {
  const w = new ByteWriter();
  for (const ch of IMAGE_MAGIC) w.u8(ch.charCodeAt(0));
  w.u16(IMAGE_VERSION).u16(0).u32(0); // total length patched below
  w.u32(img.dtNs).u16(img.stepsPerFrame).u16(img.iterations).u8(img.relaxShift).u8(0).u32(img.betaQ16);
  w.u16(img.nInputs).u16(img.nStimulusInputs).u16(img.nNeurons).u16(img.outputs.length).u16(img.populations.length).u16(img.projections.length);
  w.str(img.network);
  for (const p of img.populations) {
    w.u8(KINDS.indexOf(p.kind)).u16(p.size).u16(p.offset).u32(p.decayQ24).u8(ACTS.indexOf(p.activation.kind));
    if (p.activation.kind === 'clip') w.i32(p.activation.topQ);
    if (p.activation.kind === 'table') {
      w.str(p.activation.source);
      for (const t of [p.activation.rho, p.activation.drho, p.activation.ddrho]) for (const v of t) w.i32(v);
    }
    w.str(p.name);
  }
  for (const o of img.outputs) w.u16(o);
  for (const p of img.projections) {
    w.u8(p.pre.kind === 'input' ? 0 : 1).u16(p.pre.pop).u16(p.post).u16(p.rows).u16(p.cols).u32(p.etaDtQ24).str(p.name);
    for (const v of p.weights) w.i32(v);
  }
  return sealContainer(w.done());
}

/**
 * The image's identity: the CRC-32 stored in its trailer (over every byte before it). A board reports
 * it in HELLO_ACK; the host resumes a stream only on a board holding the same image.
 */
export function imageId(bytes: Uint8Array): number {
  if (bytes.length < 4) return 0;
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.length).getUint32(bytes.length - 4, true);
}

/** The header's counts and scalars, after the magic, version, flags, length and CRC. */
interface ImageHeader {
  dtNs: number;
  stepsPerFrame: number;
  iterations: number;
  relaxShift: number;
  betaQ16: number;
  nInputs: number;
  nStimulusInputs: number;
  nNeurons: number;
  nOutputs: number;
  nPopulations: number;
  nProjections: number;
  network: string;
}

/** An image read from a file the user named: a decoding problem is an InputError (exit 2) naming the byte and field. */
export function decodeImageFile(bytes: Uint8Array, file: string): BoardImage {
  try {
    return decodeImage(bytes, file);
  } catch (e) {
    if (e instanceof ImageError) throw new InputError(e.message);
    throw e;
  }
}

/** Decodes and checks an image; every inconsistency is an ImageError naming the byte and the field. */
export function decodeImage(bytes: Uint8Array, source = 'board image'): BoardImage {
  const r = openImage(bytes, source);
  const h = readHeader(r);
  const populations = readPopulations(r, h);
  const outputs = readOutputs(r, h, populations);
  const projections: BoardProjection[] = [];
  for (let k = 0; k < h.nProjections; k++) projections.push(readProjection(r, k, populations));
  checkFanIn(r, h.nNeurons, populations, projections);
  r.end();
  const { network, dtNs, stepsPerFrame, iterations, relaxShift, betaQ16, nInputs, nStimulusInputs, nNeurons } = h;
  return { format: IMAGE_FORMAT, network, dtNs, stepsPerFrame, iterations, relaxShift, betaQ16, populations, projections, nInputs, nStimulusInputs, nNeurons, outputs };
}

/** Checks the size, magic, version, length and CRC; returns a reader at the first field after them. */
function openImage(bytes: Uint8Array, source: string): FieldReader {
  return openContainer(bytes, source, { magic: IMAGE_MAGIC, version: IMAGE_VERSION, minBytes: 48 });
}

function readHeader(r: FieldReader): ImageHeader {
  const dtNs = r.range('u32', 'dtNs', 1, 0xffffffff);
  const stepsPerFrame = r.range('u16', 'stepsPerFrame', 1, 0xffff);
  const iterations = r.range('u16', 'iterations', 1, 0xffff);
  const relaxShift = r.range('u8', 'relaxShift', 0, 15);
  r.u8('reserved');
  const betaQ16 = r.range('u32', 'betaQ16', 0, BETA_MAX_Q16);
  const nInputs = r.u16('nInputs');
  const nStimulusInputs = r.u16('nStimulusInputs');
  const nNeurons = r.range('u16', 'nNeurons', 1, 0xffff);
  const nOutputs = r.range('u16', 'nOutputs', 1, nNeurons);
  const nPopulations = r.range('u16', 'nPopulations', 1, 1024);
  const nProjections = r.u16('nProjections');
  const network = r.str('name');
  return { dtNs, stepsPerFrame, iterations, relaxShift, betaQ16, nInputs, nStimulusInputs, nNeurons, nOutputs, nPopulations, nProjections, network };
}

/** Units laid out so far: inputs (stimulus and bias), stimulus inputs alone, and neurons. */
interface Layout {
  input: number;
  neuron: number;
  stimulus: number;
}

/** The population records, each contiguous after the one before; their sizes must add up to the header's counts. */
function readPopulations(r: FieldReader, h: ImageHeader): BoardPopulation[] {
  const populations: BoardPopulation[] = [];
  const seen: Layout = { input: 0, neuron: 0, stimulus: 0 };
  for (let k = 0; k < h.nPopulations; k++) populations.push(readPopulation(r, k, seen));
  if (seen.input !== h.nInputs) r.fail(r.o, 'populations', `input populations add up to ${seen.input} units, but nInputs is ${h.nInputs}`);
  if (seen.neuron !== h.nNeurons) r.fail(r.o, 'populations', `neuron populations add up to ${seen.neuron} neurons, but nNeurons is ${h.nNeurons}`);
  if (seen.stimulus !== h.nStimulusInputs) r.fail(r.o, 'populations', `stimulus inputs add up to ${seen.stimulus}, but nStimulusInputs is ${h.nStimulusInputs}`);
  return populations;
}

/** Population k, which must start where the populations of its vector so far end (`seen`, advanced). */
function readPopulation(r: FieldReader, k: number, seen: Layout): BoardPopulation {
  const f = `populations[${k}]`;
  const kind = KINDS[r.range('u8', `${f}.kind`, 0, 3)]!;
  const size = r.range('u16', `${f}.size`, 1, 0xffff);
  const at = r.o;
  const offset = r.u16(`${f}.offset`);
  const isInput = kind === 'input' || kind === 'bias';
  const expected = isInput ? seen.input : seen.neuron;
  if (offset !== expected) r.fail(at, `${f}.offset`, `expected ${expected} (populations are contiguous), got ${offset}`);
  if (isInput) seen.input += size;
  else seen.neuron += size;
  if (kind === 'input') seen.stimulus += size;
  const decayQ24 = r.range('u32', `${f}.decayQ24`, 0, 2 ** 24 - 1);
  const atAct = r.o;
  const actKind = ACTS[r.range('u8', `${f}.activation`, 0, 2)]!;
  // the byte (and what it selects) is in every record; input and bias units have no activation
  if (isInput && actKind !== 'linear') r.fail(atAct, `${f}.activation`, `expected 0 (linear) for a${kind === 'input' ? 'n' : ''} ${kind} population, got ${ACTS.indexOf(actKind)} (${actKind}): only hidden and output populations have an activation`);
  let activation: BoardActivation;
  if (actKind === 'clip') activation = { kind: 'clip', topQ: r.i32(`${f}.activation.topQ`) };
  else if (actKind === 'table') {
    const src = r.str(`${f}.activation.source`);
    const t = () => Int32Array.from({ length: TABLE_KNOTS }, (_, i) => r.i32(`${f}.activation.table[${i}]`));
    activation = { kind: 'table', source: src, rho: t(), drho: t(), ddrho: t() };
  } else activation = { kind: 'linear' };
  return { name: r.str(`${f}.name`), kind, size, offset, decayQ24, activation };
}

/** The output list: each entry a neuron of an output population. */
function readOutputs(r: FieldReader, h: ImageHeader, populations: BoardPopulation[]): number[] {
  const outputs: number[] = [];
  for (let k = 0; k < h.nOutputs; k++) {
    const at = r.o;
    const o = r.range('u16', `outputs[${k}]`, 0, h.nNeurons - 1);
    const pop = populations.find((p) => p.kind === 'output' && o >= p.offset && o < p.offset + p.size);
    if (!pop) r.fail(at, `outputs[${k}]`, `expected the index of a neuron in an output population, got ${o}`);
    outputs.push(o);
  }
  return outputs;
}

/** Projection k: from an input or neuron population (as preKind says) to a neuron population, its shape theirs. */
function readProjection(r: FieldReader, k: number, populations: BoardPopulation[]): BoardProjection {
  const f = `projections[${k}]`;
  const preKind = r.range('u8', `${f}.preKind`, 0, 1) === 0 ? 'input' : 'neuron';
  const at = r.o;
  const prePop = r.range('u16', `${f}.prePop`, 0, populations.length - 1);
  const pre = populations[prePop]!;
  if ((preKind === 'input') !== (pre.kind === 'input' || pre.kind === 'bias')) r.fail(at, `${f}.prePop`, `expected a${preKind === 'input' ? 'n input' : ' neuron'} population, got '${pre.name}' (${pre.kind})`);
  const atPost = r.o;
  const postIdx = r.range('u16', `${f}.postPop`, 0, populations.length - 1);
  const post = populations[postIdx]!;
  if (post.kind !== 'hidden' && post.kind !== 'output') r.fail(atPost, `${f}.postPop`, `expected a neuron population, got '${post.name}' (${post.kind})`);
  const rows = r.range('u16', `${f}.rows`, post.size, post.size);
  const cols = r.range('u16', `${f}.cols`, pre.size, pre.size);
  const etaDtQ24 = r.u32(`${f}.etaDtQ24`);
  const name = r.str(`${f}.name`);
  const weights = new Int32Array(rows * cols);
  for (let i = 0; i < weights.length; i++) weights[i] = r.i32(`${f}.weights[${i}]`);
  return { name, pre: { kind: preKind, pop: prePop }, post: postIdx, rows, cols, etaDtQ24, weights };
}

/** No neuron may have more synapses than the core's accumulators hold (MAX_FAN). */
function checkFanIn(r: FieldReader, nNeurons: number, populations: BoardPopulation[], projections: BoardProjection[]): void {
  const fan = new Array<number>(nNeurons).fill(0);
  for (const p of projections) {
    const post = populations[p.post]!; // checked against nPopulations above
    for (let i = 0; i < p.rows; i++) fan[post.offset + i] = fan[post.offset + i]! + p.cols;
  }
  const wide = fan.findIndex((x) => x > MAX_FAN);
  if (wide >= 0) r.fail(r.o, 'projections', `neuron ${wide} has a fan-in of ${fan[wide]} synapses, the core's accumulators hold at most ${MAX_FAN}`);
}
