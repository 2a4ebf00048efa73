import type { Activation } from '../../core/activation.js';
import type { ActivationSpec } from '../spec/format.js';

/** An activation as the spec writes it: its name alone, or `{ name, ...parameters }`. */
export function activationToJson(a: Activation): ActivationSpec {
  const { kind, ...params } = a as { kind: string } & Record<string, unknown>;
  return Object.keys(params).length ? { name: kind, ...params } : kind;
}
