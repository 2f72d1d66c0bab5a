import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { initBackend } from '../../src/core/backend.js';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { buildServer } from '../../src/serve/server.js';
import { registerPredictCommand } from '../../src/cli/commands/predict.js';
import { runCliCapturing } from '../helpers/run-cli.js';
import { ranksFromList, tempDir } from '../lookup/helpers.js';
import { namedGraph, trainRun } from '../lookup/trained-run.js';

// `GET|POST /models/:model/predict` with head and tail both: one triple's score and rank, as `kgdistill predict --head --relation --tail`
const tmp = tempDir('serve-triple');
let run: string;
let lookup: CheckpointLookup;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  await initBackend('wasm');
  const graph = await namedGraph(path.join(tmp, 'graph'));
  run = await trainRun(graph, path.join(tmp, 'roth'), 'RotH');
  lookup = await CheckpointLookup.open(run, { indexMode: 'background', name: 'roth' });
  app = buildServer([lookup], { maxK: 100 });
  base = `${await app.listen({ port: 0, host: '127.0.0.1' })}/models/roth/predict`;
});

afterAll(async () => {
  await app.close();
  lookup.close();
});

type Json = Record<string, any>;
const get = async (query: string): Promise<{ status: number; body: Json }> => {
  const response = await fetch(`${base}?${query}`);
  return { status: response.status, body: (await response.json()) as Json };
};
const post = async (body: unknown): Promise<{ status: number; body: Json }> => {
  const response = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Json };
};

describe('serve: the score and rank of one triple', () => {
  it('head, relation and tail give the JSON of `kgdistill predict --head --relation --tail --json` (GET and POST, by key or name)', async () => {
    const cli = await runCliCapturing([registerPredictCommand], ['predict', '--checkpoint', run, '--head', 'e40', '--relation', 'parent', '--tail', 'e13', '--backend', 'wasm', '--json']);
    const { runDir, ...fromCli } = JSON.parse(cli.out) as Json; // the command line adds the run's directory; the service gives no paths
    expect(runDir).toBe(path.resolve(run));
    const byGet = await get('head=e40&relation=parent&tail=e13');
    expect(byGet.status).toBe(200);
    expect(byGet.body).toEqual(fromCli);
    expect(byGet.body).not.toHaveProperty('runDir');
    expect(byGet.body).toEqual(JSON.parse(JSON.stringify(await lookup.score('e40', 'parent', 'e13'))));
    expect(byGet.body).toMatchObject({
      checkpoint: 'roth', head: { key: 'e40', name: 'node 40' }, relation: { key: 'parent' }, tail: { key: 'e13', name: 'node 13' },
      known: true, // the parent of 40 is (40 − 1)/3 = 13
      score: expect.any(Number), rank: { filtered: expect.any(Number), raw: expect.any(Number) },
    });
    const all = await lookup.predict({ head: 'e40', relation: 'parent', k: 600, filtered: false });
    expect(byGet.body.rank).toEqual(ranksFromList(all.answers, 'e13')); // counted from the full list of 600 answers
    expect((await post({ head: 'e40', relation: 'parent', tail: 'e13' })).body).toEqual(fromCli);
    expect((await post({ head: 'node 40', relation: 'PARENT', tail: `id:${fromCli.tail.id}`, exact: true })).body).toEqual(fromCli); // exact: accepted, as by the CLI
    expect((await get('head=node%2040&relation=parent&tail=node%2013&exact=false')).body).toEqual(fromCli);
  });

  it('a triple not in the dataset is scored too (known: false); one entity still lists answers', async () => {
    const unknown = await get('head=e4&relation=parent&tail=e500');
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual(JSON.parse(JSON.stringify(await lookup.score('e4', 'parent', 'e500'))));
    expect(unknown.body.known).toBe(false);
    const list = await get('head=e4&relation=parent&k=3');
    expect(list.body).toMatchObject({ direction: 'tails', given: { key: 'e4' } });
    expect(list.body.answers).toHaveLength(3);
    // the library's predict lists answers: given both, it names score() instead
    await expect(lookup.predict({ head: 'e4', tail: 'e1', relation: 'parent', k: 3 })).rejects.toThrow(
      'predict lists the answers of a query: give head or tail, not both; score(head, relation, tail) scores one triple and gives its filtered rank');
    await expect(lookup.predict({ relation: 'parent', k: 3 })).rejects.toThrow('give head (to predict tails) or tail (to predict heads)');
  });

  it('k and filtered are refused with head and tail (400 naming them); neither head nor tail is a 400; unknown names a 404', async () => {
    const cases: Array<[string, () => Promise<{ status: number; body: Json }>, number, RegExp]> = [
      ['k by GET', () => get('head=e4&relation=parent&tail=e1&k=5'), 400, /^k applies to a list of answers: with head and tail, predict scores one triple \(its rank is always filtered\); drop k, or drop tail to list the top answers$/],
      ['k by POST', () => post({ head: 'e4', relation: 'parent', tail: 'e1', k: 5 }), 400, /^k applies to a list of answers/],
      ['filtered', () => get('head=e4&relation=parent&tail=e1&filtered=true'), 400, /^filtered applies to a list of answers: .*drop filtered,/],
      ['filtered=false', () => post({ head: 'e4', relation: 'parent', tail: 'e1', filtered: false }), 400, /^filtered applies to a list of answers/],
      ['k and filtered', () => post({ head: 'e4', relation: 'parent', tail: 'e1', k: 5, filtered: true }), 400, /^k and filtered apply to a list of answers: .*drop k and filtered, or drop tail/],
      ['a bad k is named first', () => get('head=e4&relation=parent&tail=e1&k=0'), 400, /^k must be an integer from 1 to 100, got '0'$/],
      ['neither head nor tail', () => get('relation=parent'), 400, /^give head \(to predict tails\), tail \(to predict heads\), or both \(to score one triple\)$/],
      ['unknown parameter', () => post({ head: 'e4', relation: 'parent', tail: 'e1', gold: 'e1' }), 400, /^unknown parameter 'gold' \(allowed: head, tail, relation, k, filtered, exact\)$/],
      ['unknown tail', () => get('head=e4&relation=parent&tail=node%201000'), 404, /^tail: unknown entity 'node 1000'; did you mean: e100 \(node 100\)/],
      ['unknown head', () => post({ head: 'nobody', relation: 'parent', tail: 'e1' }), 404, /^head: unknown entity 'nobody'/],
      ['unknown relation', () => post({ head: 'e4', relation: 'parnet', tail: 'e1' }), 404, /^unknown relation 'parnet'; did you mean: parent/],
      ['a JSON number as an id', () => post({ head: 'e4', relation: 0, tail: 'e1' }), 400, /^relation must be a non-empty string of at most \d+ characters, got 0: give an id as a string, "0"$/],
      ['a negative JSON number', () => post({ head: -4, relation: 'parent', tail: 'e1' }), 400, /^head must be a non-empty string of at most \d+ characters, got -4$/],
      ['repeated head', () => get('head=e4&head=e5&relation=parent&tail=e1'), 400, /^head must be a non-empty string of at most \d+ characters, got a list$/],
      ['empty tail', () => get('head=e4&relation=parent&tail='), 400, /^tail must be a non-empty string of at most \d+ characters, got ''$/],
      ['id out of range', () => get('head=e4&relation=parent&tail=100000'), 404, /^tail: entity id 100000 out of range \(there are \d+ entities, ids 0–\d+\)/],
    ];
    for (const [what, send, status, message] of cases) {
      const { status: got, body } = await send();
      expect(got, what).toBe(status);
      expect(body.message, what).toMatch(message);
    }
  });

  it('POST with parameters in the query string is a 400 naming them (they were ignored: head=e4 in the query and tail in the body listed heads)', async () => {
    const send = async (url: string, body: unknown) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as Json };
    };
    const mixed = await send(`${base}?head=e4`, { relation: 'parent', tail: 'e1' });
    expect(mixed).toEqual({ status: 400, body: { error: 'invalid', message: "POST takes its parameters in the JSON body, not the query string (it has 'head'): move it into the body, or use GET" } });
    const neighbors = await send(`${base.replace(/predict$/, 'neighbors')}?k=3&exact=true`, { entity: 'e4' });
    expect(neighbors.body.message).toBe("POST takes its parameters in the JSON body, not the query string (it has 'k', 'exact'): move them into the body, or use GET");
    const relationAsId = await post({ head: 'e4', relation: '0', tail: 'e1' }); // the id as a string, as the message says
    expect(relationAsId.status).toBe(200);
    expect(relationAsId.body.relation).toEqual({ id: 0, key: lookup.header.vocab.relations[0] });
  });
});
