/**
 * Python round trips (issue 18): files numpy and pandas write are read, or refused with the call that writes them
 * right; traces written as .npy are read by numpy.load and equal the CSV traces of the same run, bit for bit.
 * Python here is Debian's (test/python.ts): the truth is numpy's and pandas' own writers and readers.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNumericCsv } from '../../core/csv.js';
import { NUMPY_DEFAULT_MAX_HEADER_BYTES, decodeNpyRecords, encodeNpyRecords, npyHeaderBytes } from '../../core/npy.js';
import { runPython } from '../python.js';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'nla-python-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const input = join(root, 'examples/teacher/input.csv');
const net = join(root, 'examples/teacher/network.json');

function nla(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin/nla.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Writes the example's input again with numpy or pandas: `code` sees `df` (pandas, read from input.csv), `a` (its values), `cols`, `out`. */
function pythonWrites(name: string, code: string): string {
  const out = join(dir, name);
  runPython(`import sys, numpy as np, pandas as pd\ndf = pd.read_csv(sys.argv[1]); a = df.to_numpy(); cols = list(df.columns); out = sys.argv[2]\n${code}`, [input, out]);
  return out;
}

const simulate = (inputFile: string, out: string) => nla(['simulate', net, '--input', inputFile, '--duration', '60ms', '--quiet', '--out', out]);

describe('CSV written by numpy and pandas', () => {
  const reference = join(dir, 'ref.csv');
  it('the example input as the toolkit wrote it gives the reference run', () => {
    expect(simulate(input, reference).code).toBe(0);
  });

  for (const [name, code] of [
    ['numpy savetxt, header as numpy comments it (# t,...)', "np.savetxt(out, a, delimiter=',', header=','.join(cols))"],
    ['numpy savetxt, header without the comment sign', "np.savetxt(out, a, delimiter=',', header=','.join(cols), comments='')"],
    ['pandas to_csv without the index', 'df.to_csv(out, index=False)'],
    ["pandas to_csv with the time as its index (index_label='t')", "df.set_index('t').to_csv(out, index_label='t')"],
  ] as const) {
    it(`${name}: read, and the run equals the reference bit for bit`, () => {
      const file = pythonWrites(`${name.replace(/\W+/g, '_')}.csv`, code);
      const traces = join(dir, `${name.replace(/\W+/g, '_')}.traces.csv`);
      const r = simulate(file, traces);
      expect(r.code, r.err).toBe(0);
      expect(readFileSync(traces, 'utf8')).toBe(readFileSync(reference, 'utf8'));
    });
  }

  for (const [name, code, message] of [
    ['numpy savetxt with its default delimiter (spaces)', "np.savetxt(out, a, header=' '.join(cols))", /separated by spaces.*delimiter=','/],
    ['numpy savetxt without a header', "np.savetxt(out, a, delimiter=',')", /holds numbers where the header.*header='t,\.\.\.'/],
    ['pandas to_csv with its default index', 'df.to_csv(out)', /first column has no name.*pandas.*index=False/],
    ['pandas to_csv with sep=";"', "df.to_csv(out, sep=';', index=False)", /separated by semicolons/],
  ] as const) {
    it(`${name}: refused (exit 2) naming the file, the line and what to change`, () => {
      const file = pythonWrites(`${name.replace(/\W+/g, '_')}.csv`, code);
      const r = simulate(file, join(dir, 'never.csv'));
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).toContain(file);
      expect(r.err).toMatch(/line \d+/);
    });
  }

  it('a numpy comment header stands for the header only right before the first data row, with the same width', () => {
    const t = parseNumericCsv('# written by a script\n# t,a\n0,1\n5,2\n', { file: 'x.csv' });
    expect(t.header).toEqual(['t', 'a']);
    expect(Array.from(t.columns[1]!)).toEqual([1, 2]);
    expect(() => parseNumericCsv('# t,a,b\n0,1\n', { file: 'x.csv' })).toThrow(/holds numbers where the header/);
    // an ordinary header after a comment is still the header, and the comment is skipped
    expect(parseNumericCsv('# t,a\nt,b\n0,1\n').header).toEqual(['t', 'b']);
  });
});

describe('traces as .npy', () => {
  it('nla simulate --out traces.npy: numpy.load reads a structured array equal to the CSV of the same run, field by field', () => {
    const csv = join(dir, 'run.csv');
    const npy = join(dir, 'run.npy');
    expect(simulate(input, csv).code).toBe(0);
    expect(simulate(input, npy).code).toBe(0);
    const said = runPython(
      [
        'import sys, numpy as np, pandas as pd',
        'a = np.load(sys.argv[1]); df = pd.read_csv(sys.argv[2], float_precision=\'round_trip\')',
        'assert a.dtype.names == tuple(df.columns), (a.dtype.names[:4], list(df.columns)[:4])',
        "assert all(a.dtype[n] == np.dtype('<f8') for n in a.dtype.names)",
        'assert a.shape == (len(df),), a.shape',
        'bad = [n for n in df.columns if not np.array_equal(a[n], df[n].to_numpy(), equal_nan=True)]',
        'assert not bad, bad[:5]',
        'print(len(df), len(df.columns), float(a["t"][-1]))',
      ].join('\n'),
      [npy, csv],
    );
    const [rows, cols, tLast] = said.trim().split(' ').map(Number);
    expect(rows).toBeGreaterThan(100);
    expect(cols).toBeGreaterThan(2);
    expect(tLast).toBeGreaterThan(59); // ms, not s
    expect(tLast).toBeLessThanOrEqual(60);
  });

  it('784-500-10 from a numpy input: every u as .npy; past numpy\'s header limit the CLI prints the np.load call that reads it, and that call does', () => {
    const inputFile = join(dir, 'mnist-input.csv');
    runPython(
      "import sys, numpy as np\nrng = np.random.default_rng(7)\na = np.hstack([[[0.0], [0.5]], rng.uniform(0, 1, (2, 784))])\nnp.savetxt(sys.argv[1], a, delimiter=',', header=','.join(['t'] + [f'in[{i}]' for i in range(784)]))",
      [inputFile],
    );
    const npy = join(dir, 'mnist.npy');
    const r = nla(['simulate', join(root, 'examples/mnist/network.json'), '--input', inputFile, '--duration', '1ms', '--probe', 'u', '--quiet', '--out', npy]);
    expect(r.code, r.err).toBe(0);
    const call = /load it with (np\.load\('[^']+', max_header_size=\d+\))/.exec(r.err);
    expect(call, r.err).not.toBeNull();
    const said = runPython(`import numpy as np\na = ${call![1]}\nprint(len(a.dtype.names), a.dtype.names[1], a.dtype.names[-1], int(np.isfinite(a['u:out[9]']).all()))`);
    expect(said.trim()).toBe('512 fmax u:out[9] 1'); // t, fmax, 500 hidden and 10 output voltages
  });

  it('a table numpy writes with np.save reads back equal; one this module writes, numpy reads equal (v1.0 and, past 64 KiB of header, v2.0)', () => {
    const fromNumpy = join(dir, 'np.npy');
    runPython(
      "import sys, numpy as np\na = np.zeros(3, dtype=[('t', '<f8'), (\"u:h1[0]\", '<f8'), ('it\\'s', '<f8')])\na['t'] = [0, 0.1, 0.2]\na['u:h1[0]'] = [-1.5, 2**-40, 1e300]\na[\"it's\"] = [np.pi, -0.0, 7]\nnp.save(sys.argv[1], a)",
      [fromNumpy],
    );
    const d = decodeNpyRecords(readFileSync(fromNumpy));
    expect(d.names).toEqual(['t', 'u:h1[0]', "it's"]);
    expect(Array.from(d.columns[1]!)).toEqual([-1.5, 2 ** -40, 1e300]);
    expect(Array.from(d.columns[2]!)).toEqual([Math.PI, -0, 7]);

    for (const cols of [3, 4000]) {
      const names = Array.from({ length: cols }, (_, i) => (i === 0 ? 't' : `u:h${i}[${i * 7}]`));
      const columns = names.map((_, c) => Float64Array.from({ length: 5 }, (_, r) => (c + 1) * 1.1 ** r - r / 3));
      const bytes = encodeNpyRecords({ names, columns });
      expect(bytes[6]).toBe(cols === 3 ? 1 : 2);
      // past numpy's default header limit the CLI says how to load it (max_header_size)
      expect(npyHeaderBytes(bytes) > NUMPY_DEFAULT_MAX_HEADER_BYTES).toBe(cols > 3);
      const file = join(dir, `ours${cols}.npy`);
      writeFileSync(file, bytes);
      const said = runPython(
        "import sys, numpy as np\na = np.load(sys.argv[1], max_header_size=10**6)\nprint(len(a.dtype.names), a.shape[0], repr(float(a[a.dtype.names[-1]][4])), repr(float(a['t'][3])))",
        [file],
      );
      const [n, rows, last, t3] = said.trim().split(' ');
      expect(Number(n)).toBe(cols);
      expect(Number(rows)).toBe(5);
      expect(Number(last)).toBe(columns[cols - 1]![4]);
      expect(Number(t3)).toBe(columns[0]![3]);
      const back = decodeNpyRecords(bytes);
      expect(back.names).toEqual(names);
      expect(back.columns[cols - 1]).toEqual(columns[cols - 1]);
    }
  });
});
