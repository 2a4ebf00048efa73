/**
 * Time constant (ms) of an exponential decay: a log-linear least-squares fit of |y(t) − y∞| over the
 * stretch where it lies between lo·|y(0) − y∞| and hi·|y(0) − y∞| (the band keeps the fit off the
 * initial transient and off the noise floor). NaN when fewer than 5 samples fall in the band.
 */
export function fitDecayMs(t: ArrayLike<number>, y: ArrayLike<number>, yInf: number, hi: number, lo: number): number {
  const d0 = Math.abs(y[0]! - yInf);
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  let n = 0;
  for (let i = 0; i < t.length; i++) {
    const d = Math.abs(y[i]! - yInf);
    if (d > hi * d0 || d < lo * d0) continue;
    const l = Math.log(d);
    sx += t[i]!;
    sy += l;
    sxx += t[i]! * t[i]!;
    sxy += t[i]! * l;
    n++;
  }
  if (n < 5) return NaN;
  return -1 / ((n * sxy - sx * sy) / (n * sxx - sx * sx));
}
