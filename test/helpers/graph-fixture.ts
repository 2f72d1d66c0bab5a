// The setup of the pipeline's run tests: a new temporary directory, tfjs on its wasm backend and a generated graph
// (seed 3) in that directory, made once before the file's tests.
import { beforeAll, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';

/** The options the run-contract tests share (run-contract.test.ts, run-data-contract.test.ts): DistMult, d = 8, 4 epochs validated every 2. */
export const CONTRACT_BASE = { model: 'DistMult', dim: 8, epochs: 4, validEvery: 2, batchSize: 64, lr: 0.1, initScale: 0.1 } as const;

/** A test file's directory and graph: `graph` may be read once the file's `beforeAll` has run. */
export interface GraphFixture {
  readonly tmp: string;
  readonly graph: string;
}

/**
 * Makes a temporary directory named after `prefix` now, and registers a `beforeAll` that selects the wasm backend and
 * writes a generated graph of `entities` entities (seed 3) into `<tmp>/graph`.
 */
export function useGraphFixture(prefix: string, entities: number): GraphFixture {
  const tmp = mkdtempSync(path.join(tmpdir(), prefix));
  let graph: string | undefined;
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities, seed: 3 });
  });
  return {
    tmp,
    get graph(): string {
      if (graph === undefined) throw new Error('the graph is written in beforeAll: read it in a test');
      return graph;
    },
  };
}
