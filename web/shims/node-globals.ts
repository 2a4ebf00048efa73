/**
 * Node's `setImmediate`/`clearImmediate` in the page (the host's link, virtual board and memory line yield
 * with them): run after the current task and its microtasks, through a MessageChannel (not setTimeout, which
 * browsers clamp to 4 ms when nested). Installed only where missing, by importing this module first.
 */
type Callback = (...args: unknown[]) => void;

const pending = new Map<number, () => void>();
let nextId = 1;
let posted = false;

function install(): void {
  if (typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function') return;
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    posted = false;
    const batch = [...pending];
    pending.clear();
    for (const [, run] of batch) run();
  };
  const g = globalThis as unknown as { setImmediate: (fn: Callback, ...args: unknown[]) => number; clearImmediate: (id: number) => void };
  g.setImmediate = (fn, ...args) => {
    const id = nextId++;
    pending.set(id, () => fn(...args));
    if (!posted) {
      posted = true;
      channel.port2.postMessage(0);
    }
    return id;
  };
  g.clearImmediate = (id) => void pending.delete(id);
}

install();
