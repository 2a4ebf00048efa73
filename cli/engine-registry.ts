import { analogEngine } from '../emulator/analog/engine.js';
import { digitalEngine } from '../emulator/digital/engine.js';
import type { EngineFactory } from '../emulator/engine.js';
import { spiceEngine } from '../emulator/spice/engine.js';
import { boardEngine } from '../host/engine/board-engine.js';

/**
 * Every back end the CLI can run, by name. Adding one: implement `EngineFactory` (emulator/engine.ts) in
 * a folder of its own and add it here; `--engine`, `--a`/`--b`, the options and their help follow.
 */
export const ENGINE_FACTORIES: readonly EngineFactory[] = [digitalEngine, analogEngine, spiceEngine, boardEngine];

export const ENGINE_NAMES: readonly string[] = ENGINE_FACTORIES.map((f) => f.name);

export function engineFactory(name: string): EngineFactory | undefined {
  return ENGINE_FACTORIES.find((f) => f.name === name);
}
