/**
 * A dense matrix of finite numbers read from JSON (an array of rows), checked to be exactly rows×cols.
 * `fail(path, message)` reports the first problem and must throw; paths name the row and the entry
 * (`weights["in->h"][3]`, `…[3][7]`).
 */
export function numberMatrix(path: string, v: unknown, rows: number, cols: number, fail: (path: string, message: string) => never): number[][] {
  if (!Array.isArray(v)) return fail(path, `expected an array of ${rows} rows, got ${v === null ? 'null' : typeof v}`);
  if (v.length !== rows) return fail(path, `expected ${rows} rows of ${cols}, got ${v.length} rows`);
  v.forEach((row: unknown, i) => {
    if (!Array.isArray(row)) fail(`${path}[${i}]`, `expected a row of ${cols} numbers, got ${row === null ? 'null' : typeof row}`);
    const r = row as unknown[];
    if (r.length !== cols) fail(`${path}[${i}]`, `expected ${cols} entries, got ${r.length}`);
    r.forEach((x, j) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) fail(`${path}[${i}][${j}]`, `expected a finite number, got ${JSON.stringify(x)}`);
    });
  });
  return v as number[][];
}
