/**
 * `node:os` in the page: `totalmem` for the memory budget (core/memory-budget.ts), from the browser's
 * `navigator.deviceMemory` (GiB, rounded down by the browser), else 4 GiB.
 */
export function totalmem(): number {
  const gib = (globalThis.navigator as { deviceMemory?: number } | undefined)?.deviceMemory;
  return (typeof gib === 'number' && gib > 0 ? gib : 4) * 2 ** 30;
}
