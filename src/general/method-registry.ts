/**
 * The methods of the general module by name — what `kgdistill kd <method>` accepts — on the core's one registry
 * mechanism (`core/registry.ts`). An entry is the method on the digits (baseline and method, `images/methods/`,
 * whose parameters are the entry's schema) and, where it has one, its port onto the KG training core (`kg/`, with
 * its own parameters). The digits are the default; a knowledge graph runs the entry's port, so the choice is made
 * here, from the entry, never by looking at the data. This file is the only one that imports both sides.
 */
import { formatParameterIssues, InvalidParametersError, Registry, type RegistryEntry } from '../core/registry.js';
import type { RunData } from '../core/training-data.js';
import type { ImageMethod } from './images/methods/image-method.js';
import { kdMethod } from './images/methods/kd.js';
import { dmlMethod } from './images/methods/dml.js';
import { dcmMethod } from './images/methods/dcm.js';
import { ffsdMethod } from './images/methods/ffsd.js';
import { dogoMethod } from './images/methods/dogo.js';
import { coLadMethod, ladMethod } from './images/methods/lad.js';
import { fedNtdMethod } from './images/methods/fedntd.js';
import { cbdMethod } from './images/methods/cbd.js';
import { streamMethod } from './images/methods/stream.js';
import { detectionMethod } from './images/methods/detection.js';
import { simclrV2Method } from './images/methods/simclrv2.js';
import { fedxMethod } from './images/methods/fedx.js';
import { runComparison, type ComparisonInput, type ComparisonReport } from './images/runner.js';
import type { KgPort, KgPortSettings } from './kg/port.js';
import { dmlKgPort, dogoKgPort } from './kg/mutual/ports.js';
import type { PeerComparison } from './kg/mutual/peer-run.js';
import { fedNtdKgPort } from './kg/federated/port.js';
import type { FedKgeComparison } from './kg/federated/fed-kge-run.js';
import { cbdKgPort } from './kg/long-tail/port.js';
import type { CbdKgeComparison } from './kg/long-tail/cbd-kge-run.js';

/** What a KG port reports: each kind is printed as its own table. */
export type KgPortReport = PeerComparison | FedKgeComparison | CbdKgeComparison;

/** One method of the general module: the registry entry (name, summary, its parameters on the digits). */
export interface GeneralMethod extends RegistryEntry {
  /** The method and its baseline on the digits. */
  readonly images: ImageMethod<unknown>;
  /** Its port onto the KG training core, where it has one. */
  readonly kg?: KgPort<unknown, KgPortReport>;
}

/** An entry from a method on the digits and its KG port (their parameter types are checked where they are defined). */
function entry<P, Q, R extends KgPortReport>(images: ImageMethod<P>, kg?: KgPort<Q, R>): GeneralMethod {
  const erased = images as unknown as ImageMethod<unknown>;
  return { name: images.name, summary: images.title, schema: images.schema, images: erased, ...(kg ? { kg: kg as unknown as KgPort<unknown, KgPortReport> } : {}) };
}

/** Every method, in listing order. */
export const METHODS = new Registry<GeneralMethod>('distillation method', [
  entry(kdMethod),
  entry(dmlMethod, dmlKgPort),
  entry(dcmMethod),
  entry(ffsdMethod),
  entry(dogoMethod, dogoKgPort),
  entry(ladMethod),
  entry(coLadMethod),
  entry(fedNtdMethod, fedNtdKgPort),
  entry(cbdMethod, cbdKgPort),
  entry(streamMethod),
  entry(detectionMethod),
  entry(simclrV2Method),
  entry(fedxMethod),
], 'methods');

/** Names of all methods. */
export function methodNames(): string[] {
  return METHODS.names();
}

/** A method by name (case-insensitive), or an error listing the known ones. */
export function getMethod(name: string): GeneralMethod {
  return METHODS.get(name);
}

/** Names of the methods with a KG port. */
export function methodsWithKgPort(): string[] {
  return METHODS.entries().filter((m) => m.kg).map((m) => m.name);
}

/** A method's parameters on the digits, validated (defaults filled in); errors name the method and each bad field. */
export function parseMethodParams(name: string, params: unknown): unknown {
  return METHODS.parse(name, params);
}

/** A method and its baseline on the digits over seeds (parameters validated first). */
export async function compareOnDigits(name: string, input: ComparisonInput & { params?: Record<string, unknown> }, log: (line: string) => void = () => undefined): Promise<ComparisonReport> {
  const method = METHODS.get(name);
  const { params, ...options } = input;
  return runComparison(method.images, METHODS.parse(method.name, params), options, log);
}

/** Why method `name` cannot run on a graph (it has no KG port), naming the methods that can; undefined when it can. */
export function noKgPortReason(name: string): string | undefined {
  const method = METHODS.get(name);
  return method.kg ? undefined : `method '${method.name}' has no KG port; the methods with one are ${methodsWithKgPort().join(', ')} (run the others on the digits, without --dataset)`;
}

/** A method's KG port, or an error naming the methods that have one. */
export function kgPortOf(name: string): KgPort<unknown, KgPortReport> {
  const reason = noKgPortReason(name);
  if (reason !== undefined) throw new Error(reason);
  return METHODS.get(name).kg!;
}

/** A KG port's parameters, validated (defaults filled in); errors name the method and each bad field. */
export function parseKgPortParams(name: string, params: unknown): unknown {
  const port = kgPortOf(name);
  const result = port.schema.safeParse(params ?? {});
  if (!result.success) throw new InvalidParametersError(`the KG port of '${METHODS.get(name).name}'`, formatParameterIssues(result.error, port.schema));
  return result.data;
}

/** A method's KG port ready to run on loaded run data: the port found and its parameters validated before any data loads. */
export function prepareKgPort(name: string, params: Record<string, unknown>):
  (data: RunData, settings: KgPortSettings, seeds: readonly number[], backend: string, log?: (line: string) => void) => Promise<KgPortReport> {
  const port = kgPortOf(name);
  const validated = parseKgPortParams(name, params);
  return (data, settings, seeds, backend, log = () => undefined) => port.run(data, settings, validated, seeds, backend, log);
}
