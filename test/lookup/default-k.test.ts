// A lookup that names no k answers ten, or fewer where the model has fewer entities or the caller caps k lower (the
// service's --max-k): the library, the command line and the service. A default k of 10 was refused outright on a
// graph of 10 entities or fewer ("k must be at most 5, got 10"), and by a service started with --max-k below 10.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { initBackend } from '../../src/core/backend.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { DEFAULT_ANSWER_COUNT, defaultAnswerCount } from '../../src/lookup/answer-count.js';
import { buildServer } from '../../src/serve/server.js';
import { registerNeighborsCommand } from '../../src/cli/commands/neighbors.js';
import { registerPredictCommand } from '../../src/cli/commands/predict.js';
import { lastJsonLine, runCli } from '../helpers/run-cli.js';
import { tempDir } from './helpers.js';
import { trainRun } from './trained-run.js';

const tmp = tempDir('default-k');
let small: string; // 6 entities
let lookup: CheckpointLookup;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  await initBackend('wasm');
  const graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 6, seed: 1 });
  small = await trainRun(graph, path.join(tmp, 'run'), 'DistMult');
  lookup = await CheckpointLookup.open(small);
}, 120_000);

afterAll(async () => {
  for (const app of apps) await app.close();
  lookup.close();
});

describe('the default k of a lookup', () => {
  it('is 10, or the cap, or what the model has to list (at least 1)', () => {
    expect(DEFAULT_ANSWER_COUNT).toBe(10);
    expect(defaultAnswerCount(undefined, 600)).toBe(10);
    expect(defaultAnswerCount(1000, 5)).toBe(5);
    expect(defaultAnswerCount(3, 600)).toBe(3);
    expect(defaultAnswerCount(undefined, 0)).toBe(1);
  });

  it('library: every other entity as neighbours, every entity as answers, on a model of 6 entities', async () => {
    expect((await lookup.neighbors('e0')).neighbors).toHaveLength(5);
    expect((await lookup.predict({ head: 'e0', relation: 'parent' })).answers).toHaveLength(6);
    expect((await lookup.predict({ head: 'e0', relation: 'parent' }, { maxK: 2 })).answers).toHaveLength(2);
    await expect(lookup.neighbors('e0', 6)).rejects.toThrow('k must be at most 5, got 6 (this model has 5 entities besides the query)'); // a k given is still checked
  });

  it('command line: neighbors and predict without --k', async () => {
    const neighbors = lastJsonLine(await runCli([registerNeighborsCommand], ['neighbors', '--checkpoint', small, '--entity', 'e0', '--json'])) as { neighbors: unknown[] };
    expect(neighbors.neighbors).toHaveLength(5);
    const predicted = lastJsonLine(await runCli([registerPredictCommand], ['predict', '--checkpoint', small, '--head', 'e0', '--relation', 'parent', '--json'])) as { answers: unknown[] };
    expect(predicted.answers).toHaveLength(6);
  });

  it('service: a request without k gets at most --max-k answers, and never a refusal naming a k it did not send', async () => {
    const app = buildServer([lookup], { maxK: 3 });
    apps.push(app);
    const neighbors = await app.inject({ url: '/models/run/neighbors?entity=e0' });
    expect(neighbors.statusCode).toBe(200);
    expect(neighbors.json().neighbors).toHaveLength(3);
    const predicted = await app.inject({ method: 'POST', url: '/models/run/predict', payload: { head: 'e0', relation: 'parent' } });
    expect(predicted.statusCode).toBe(200);
    expect(predicted.json().answers).toHaveLength(3);
    const wide = buildServer([lookup]);
    apps.push(wide);
    expect((await wide.inject({ url: '/models/run/neighbors?entity=e0' })).json().neighbors).toHaveLength(5);
  });
});
