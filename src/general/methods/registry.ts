/** The methods of the general module by name (what `kgdistill kd <method>` accepts). */
import type { DistillationMethod } from './method.js';
import { kdMethod } from './kd.js';
import { dmlMethod } from './dml.js';
import { dcmMethod } from './dcm.js';
import { ffsdMethod } from './ffsd.js';
import { dogoMethod } from './dogo.js';
import { coLadMethod, ladMethod } from './lad.js';
import { fedNtdMethod } from './fedntd.js';
import { cbdMethod } from './cbd.js';
import { streamMethod } from './stream.js';
import { detectionMethod } from './detection.js';
import { simclrV2Method } from './simclrv2.js';
import { fedxMethod } from './fedx.js';

const METHODS: readonly DistillationMethod<never>[] = [
  kdMethod, dmlMethod, dcmMethod, ffsdMethod, dogoMethod, ladMethod, coLadMethod, fedNtdMethod, cbdMethod,
  streamMethod, detectionMethod, simclrV2Method, fedxMethod,
] as unknown as DistillationMethod<never>[];

/** Names of all methods. */
export function methodNames(): string[] {
  return METHODS.map((m) => m.name);
}

/** A method by name (case-insensitive), or an error listing the known ones. */
export function getMethod(name: string): DistillationMethod<unknown> {
  const method = METHODS.find((m) => m.name === name.toLowerCase());
  if (!method) throw new Error(`unknown distillation method '${name}'; known methods: ${methodNames().join(', ')}`);
  return method as unknown as DistillationMethod<unknown>;
}

/** Every method, for listings. */
export function allMethods(): readonly DistillationMethod<unknown>[] {
  return METHODS as unknown as DistillationMethod<unknown>[];
}
