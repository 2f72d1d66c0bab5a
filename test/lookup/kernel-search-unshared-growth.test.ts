/**
 * The kernel search on an UNSHARED kernel memory (a page that is not cross-origin isolated: shared-memory.ts), where
 * growing the memory detaches its old ArrayBuffer: a view KernelSearch held across one of its own allocations would
 * then read nothing (or throw). The memory is filled to within a few bytes of its end right before each step, so the
 * step's first allocation grows it — in the search's constructor (after it read the tail biases), in a neighbour
 * query (after it read the entity's row) and in a prediction (after it read the queries' curvatures) — and the
 * answers must be those of the same parameters on a shared memory, bit for bit: DistMult (dot, dense top-K) and
 * RotH (tail biases, Poincaré top-K).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetFromTriples } from '../../src/browser.js';
import { ModelRuntime } from '../../src/core/model-runtime.js';
import { SeededRandom } from '../../src/core/random.js';
import { runDataFromDataset, type RunData } from '../../src/core/training-data.js';
import { hostKernelModule, useKernelModule } from '../../src/kernels/kernel-host.js';
import type { KernelMemory } from '../../src/kernels/kernel-memory.js';
import { unshareMemoryImport } from '../../src/kernels/shared-memory.js';
import type { NamedTriple } from '../../src/kg/split-triples.js';
import { syntheticGraph } from '../../src/kg/synthetic-graph.js';
import { neighborMetric } from '../../src/lookup/kernel-search.js';
import { createModel } from '../../src/registry/models.js';
import type { ModelSummary, NeighborsResult, PredictResult } from '../../src/serve/explorer/protocol.js';
import { InPageModel } from '../../src/serve/explorer/worker/in-page-model.js';

const WASM = path.resolve(import.meta.dirname, '..', '..', 'build', 'kernels.wasm');
const DIM = 16;
const K = 5;
const graph = syntheticGraph({ entities: 60, groups: 3 });
const data: RunData = runDataFromDataset(datasetFromTriples({ train: graph.train, valid: graph.valid, test: graph.test } as Record<'train' | 'valid' | 'test', NamedTriple[]>));
/** Entities asked about: a few spread over the table. */
const ENTITIES = [0, 17, 42].map((id) => data.entityNames[id]!);

/**
 * build/kernels.wasm (the portable build a page loads) as it is, importing a shared memory, and compiled to import an
 * unshared one as kgdistill/browser's loader compiles it in a page that is not isolated: both memories run the same
 * code (Node would otherwise pick its fma build for the shared one, whose last bits differ).
 */
let modules: { shared: WebAssembly.Module; unshared: WebAssembly.Module };
/** What this file changes, as it was: checked to be so again at its end. */
const before = { module: hostKernelModule(), isolation: Object.getOwnPropertyDescriptor(globalThis, 'crossOriginIsolated') };
beforeAll(async () => {
  const bytes = new Uint8Array(readFileSync(WASM));
  modules = { shared: await WebAssembly.compile(bytes), unshared: await WebAssembly.compile(unshareMemoryImport(bytes, WASM)) };
});
afterAll(() => {
  expect(hostKernelModule()).toBe(before.module);
  expect(Object.getOwnPropertyDescriptor(globalThis, 'crossOriginIsolated')).toEqual(before.isolation);
});

/**
 * Runs `body` with `module` registered as the kernels (kernel-host.ts's useKernelModule), and with `crossOriginIsolated`
 * false when `isolated` is false (as in a page that is not isolated: a new KernelMemory is then unshared); both are
 * restored after. What is made here keeps its memory and kernels (a KernelMemory's sharing is fixed when it is made,
 * and its kernels are cached per memory).
 */
async function withKernels<T>(module: WebAssembly.Module, isolated: boolean, body: () => Promise<T>): Promise<T> {
  const g = globalThis as { crossOriginIsolated?: boolean };
  const hadIsolation = Object.hasOwn(globalThis, 'crossOriginIsolated'), savedIsolation = g.crossOriginIsolated;
  const savedModule = hostKernelModule();
  if (!isolated) g.crossOriginIsolated = false;
  useKernelModule(module);
  try {
    return await body();
  } finally {
    // undefined when none was registered (Node then reads its build from build/): handing it back unregisters ours
    useKernelModule(savedModule as WebAssembly.Module);
    if (hadIsolation) g.crossOriginIsolated = savedIsolation;
    else delete g.crossOriginIsolated;
  }
}

/**
 * The parameters both memories get: uniform in ±0.5 (entities ±1.5, into the ball's curved part for RotH; every
 * relation its own curvature), 0 in the columns stored only for the kernels.
 */
function randomise(runtime: ModelRuntime, seed: string): void {
  const rng = new SeededRandom(seed);
  for (const table of runtime.store.tables()) {
    const scale = table.spec.name === 'entity' ? 3 : 1;
    const padding = new Set(table.spec.padColumns ?? []);
    const values = table.data.array;
    for (let i = 0; i < values.length; i++) values[i] = padding.has(i % table.dim) ? 0 : scale * (rng.next() - 0.5);
  }
}

/** A runtime of `name` over the graph with the parameters of `randomise`, on a shared memory or an unshared one. */
async function runtimeOf(name: string, shared: boolean): Promise<ModelRuntime> {
  const runtime = await withKernels(shared ? modules.shared : modules.unshared, shared,
    () => ModelRuntime.create(createModel(name, { dim: DIM, numEntities: data.numEntities, numRelations: data.numRelations })));
  expect(runtime.store.memory.shared).toBe(shared);
  expect(runtime.store.memory.memory.buffer).toBeInstanceOf(shared ? SharedArrayBuffer : ArrayBuffer);
  randomise(runtime, `unshared-growth-${name}`);
  return runtime;
}

/** The model as the page queries it. */
function inPageModel(runtime: ModelRuntime): InPageModel {
  const facts: ModelSummary = {
    name: `${runtime.model.config.model} (unshared growth)`, origin: 'page', model: runtime.model.config.model, dim: DIM,
    entities: data.numEntities, relations: [...data.relationNames], dataset: data.datasetName, metric: neighborMetric(runtime.model.similarity),
    knownTriples: true, curves: [], teachers: [], settings: {},
  };
  return new InPageModel(runtime, data, facts);
}

/** Hands out all but at most 16 bytes of the memory, so that the next allocation of more grows it. */
function fillMemory(memory: KernelMemory): void {
  const free = memory.byteLength - memory.usedBytes;
  if (free > 16) memory.allocF32(Math.floor((free - 16) / 4));
  expect(memory.byteLength - memory.usedBytes).toBeLessThanOrEqual(16);
}

/** Runs `step` on a just-filled memory and checks it grew the memory (its first allocation did). */
function growingIn<T>(memory: KernelMemory, step: () => T): T {
  fillMemory(memory);
  const before = memory.byteLength;
  const result = step();
  expect(memory.byteLength).toBeGreaterThan(before);
  return result;
}

/** What is compared: the neighbours' and answers' keys with their distances, similarities or scores. */
const neighboursOf = (r: NeighborsResult): NeighborsResult['neighbors'] => r.neighbors;
const answersOf = (r: PredictResult): PredictResult['answers'] => r.answers;
/** Every prediction asked: tails and heads of each entity under each relation (each its own curvature for RotH). */
const predictions = (): Array<{ head: string; relation: string } | { tail: string; relation: string }> =>
  ENTITIES.flatMap((e) => data.relationNames.flatMap((relation) => [{ head: e, relation }, { tail: e, relation }]));

describe.each(['DistMult', 'RotH'])('%s lookups on an unshared kernel memory that grows under them', (name) => {
  let expected: { neighbours: NeighborsResult['neighbors'][]; answers: PredictResult['answers'][] };

  /** A runtime on an unshared memory with the shared one's parameters, and its memory. */
  async function unsharedRuntime(): Promise<{ runtime: ModelRuntime; memory: KernelMemory }> {
    const runtime = await runtimeOf(name, false);
    return { runtime, memory: runtime.store.memory };
  }

  beforeAll(async () => {
    const runtime = await runtimeOf(name, true);
    const model = inPageModel(runtime);
    expected = {
      neighbours: ENTITIES.map((e) => neighboursOf(model.neighbors(e, K))),
      answers: predictions().map((p) => answersOf(model.predict({ ...p, k: K, filtered: false }))),
    };
    model.dispose();
    runtime.dispose();
    // the reference itself is sound: K answers each, finite, and the relations' lists differ
    for (const list of [...expected.neighbours, ...expected.answers]) expect(list).toHaveLength(K);
    for (const a of expected.answers.flat()) expect(Number.isFinite(a.score)).toBe(true);
    expect(new Set(expected.answers.map((list) => JSON.stringify(list))).size).toBe(expected.answers.length);
  });

  it('the search made when the memory grows during its construction (after reading the tail biases) gives the shared answers', async () => {
    const { runtime, memory } = await unsharedRuntime();
    const model = growingIn(memory, () => inPageModel(runtime));
    expect(ENTITIES.map((e) => neighboursOf(model.neighbors(e, K)))).toEqual(expected.neighbours);
    expect(predictions().map((p) => answersOf(model.predict({ ...p, k: K, filtered: false })))).toEqual(expected.answers);
    model.dispose();
    runtime.dispose();
  });

  it('a neighbour query whose scratch grows the memory (after reading the entity row) gives the shared neighbours', async () => {
    const { runtime, memory } = await unsharedRuntime();
    const model = inPageModel(runtime);
    const first = growingIn(memory, () => neighboursOf(model.neighbors(ENTITIES[0]!, K)));
    expect(first).toEqual(expected.neighbours[0]);
    expect(ENTITIES.map((e) => neighboursOf(model.neighbors(e, K)))).toEqual(expected.neighbours);
    model.dispose();
    runtime.dispose();
  });

  it('predictions whose allocations grow the memory (after reading the curvatures) give the shared answers', async () => {
    const { runtime, memory } = await unsharedRuntime();
    const model = inPageModel(runtime);
    const asked = predictions();
    // the first prediction allocates (the top-K scratch; RotH: the Poincaré sweep's blocks), and for RotH so does the
    // first of each query relation (its curvature's entity terms)
    const relationsSeen = new Set<string>();
    const answers = asked.map((p) => {
      const key = `${'head' in p ? 'tails' : 'heads'} ${p.relation}`;
      const grows = relationsSeen.size === 0 || (name === 'RotH' && !relationsSeen.has(key));
      relationsSeen.add(key);
      const predict = (): PredictResult['answers'] => answersOf(model.predict({ ...p, k: K, filtered: false }));
      return grows ? growingIn(memory, predict) : predict();
    });
    expect(relationsSeen.size).toBe(2 * data.numRelations);
    expect(answers).toEqual(expected.answers);
    model.dispose();
    runtime.dispose();
  });
});
