import { beforeAll, describe, expect, it } from 'vitest';
import { runCliCapturing } from '../helpers/run-cli.js';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { registerNeighborsCommand } from '../../src/cli/commands/neighbors.js';
import { registerPredictCommand } from '../../src/cli/commands/predict.js';
import { ranksFromList, tempDir } from './helpers.js';
import { namedGraph, trainRun } from './trained-run.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';

const tmp = tempDir('lookup-cli');
let graph: string;
let roth: string;
let distmult: string;

/** Runs `kgdistill <args>` in-process; returns stdout and stderr. */
const runCli = (args: string[]): Promise<{ out: string; err: string }> => runCliCapturing([registerNeighborsCommand, registerPredictCommand], args);

const lastJson = (out: string): Record<string, any> => JSON.parse(out.trimEnd().split('\n').at(-1)!) as Record<string, any>;

beforeAll(async () => {
  graph = await namedGraph(path.join(tmp, 'graph'));
  roth = await trainRun(graph, path.join(tmp, 'roth'), 'RotH');
  distmult = await trainRun(graph, path.join(tmp, 'distmult'), 'DistMult');
});

describe('kgdistill neighbors', () => {
  it('with --index builds the index once (notice on stderr), then answers from the saved file; --json has names and distances', async () => {
    const first = await runCli(['neighbors', '--checkpoint', roth, '--entity', 'node 10', '--k', '5', '--index', '--json']);
    expect(first.err).toMatch(/building index .*lookup\/best\.lorentz-c3f800000\.hnsw \(600 entities, once\)/);
    const result = lastJson(first.out);
    expect(result).toMatchObject({ entity: { id: expect.any(Number), key: 'e10', name: 'node 10' }, metric: 'poincare', curvature: 1, method: 'hnsw' });
    expect(result.neighbors).toHaveLength(5);
    expect(result.neighbors.map((n: any) => n.rank)).toEqual([1, 2, 3, 4, 5]);
    const distances = result.neighbors.map((n: any) => n.distance);
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
    expect(result.neighbors.every((n: any) => n.key !== 'e10' && typeof n.name === 'string')).toBe(true);
    const second = await runCli(['neighbors', '--checkpoint', roth, '--entity', 'e10', '--k', '5', '--index', '--json']);
    expect(second.err).toBe('');
    expect(lastJson(second.out).neighbors).toEqual(result.neighbors);
    // the default: every entity scored, the same answer, marked exact
    const swept = lastJson((await runCli(['neighbors', '--checkpoint', roth, '--entity', 'e10', '--k', '5', '--json'])).out);
    expect([swept.method, swept.neighbors]).toEqual(['exact', result.neighbors]);
    expect(lastJson((await runCli(['neighbors', '--checkpoint', roth, '--entity', 'e10', '--k', '5', '--exact', '--json'])).out).neighbors).toEqual(result.neighbors);
    await expect(runCli(['neighbors', '--checkpoint', roth, '--entity', 'e10', '--index', '--exact'])).rejects.toThrow('--index and --exact: give one (the exact sweep is the default)');
    // k = 40 of 600 entities: 2k + 1 = 81 > 600 / 8, so the index hands over to the exact sweep, and says so
    expect(lastJson((await runCli(['neighbors', '--checkpoint', roth, '--entity', 'e10', '--k', '40', '--index', '--json'])).out)).toMatchObject({ method: 'exact' });
    expect(readdirSync(path.join(roth, 'lookup'))).toEqual(['best.lorentz-c3f800000.hnsw']);
  });

  it('prints a table; inner product for a dot-product model', async () => {
    const { out } = await runCli(['neighbors', '--checkpoint', distmult, '--entity', 'ZÜRICH', '--k', '3']);
    expect(out).toMatch(/^nearest entities of Zürich \(e3\) by inner product \(exact\)\nrank {2}entity +similarity +id\n/);
    expect(out.trim().split('\n')).toHaveLength(6);
  });

  it('unknown, ambiguous and out-of-range entities and bad k are clear errors', async () => {
    await expect(runCli(['neighbors', '--checkpoint', roth, '--entity', 'node 1000'])).rejects.toThrow(/unknown entity 'node 1000'; did you mean: e100 \(node 100\)/);
    await expect(runCli(['neighbors', '--checkpoint', roth, '--entity', 'TWIN'])).rejects.toThrow("'TWIN' matches 2 entities: e1 (Twin) = id:");
    await expect(runCli(['neighbors', '--checkpoint', roth, '--entity', 'id:600'])).rejects.toThrow(/entity id id:600 out of range \(there are 600 entities, ids 0–599\)/);
    await expect(runCli(['neighbors', '--checkpoint', roth, '--entity', 'e1', '--k', '0'])).rejects.toThrow(/expected a positive integer below 1000000000, got '0'/);
    await expect(runCli(['neighbors', '--checkpoint', roth, '--entity', 'e1', '--k', 'ten'])).rejects.toThrow(/expected a positive integer below 1000000000, got 'ten'/);
    await expect(runCli(['neighbors', '--checkpoint', roth, '--entity', 'e1', '--k', '600'])).rejects.toThrow('--k must be at most 599, got 600 (this model has 599 entities besides the query)');
    await expect(runCli(['neighbors', '--checkpoint', path.join(tmp, 'nope'), '--entity', 'e1'])).rejects.toThrow(/nope: no such directory \(a run directory written by/);
    const header = path.join(roth, 'best.json'); // a checkpoint's file where its run directory is expected
    await expect(runCli(['neighbors', '--checkpoint', header, '--entity', 'e1'])).rejects.toThrow(`${header}: is a file, not a run directory: give the run directory that holds it, ${roth}`);
    const other = path.join(roth, 'config.json');
    await expect(runCli(['predict', '--checkpoint', other, '--head', 'e1', '--relation', 'parent'])).rejects.toThrow(`${other}: is a file, not a run directory (a run directory holds best.json or last.json from \`kgdistill train\`)`);
    await expect(runCli(['neighbors', '--checkpoint', roth])).rejects.toThrow(/required option '--entity <id\|name>' not specified/);
  });
});

describe('kgdistill predict', () => {
  it('marks known answers, --filtered removes them; every entity is scored in kernels (no index), as `--tail` scores one', async () => {
    const args = ['predict', '--checkpoint', roth, '--head', 'e30', '--relation', 'PARENT', '--k', '8', '--json'];
    const first = await runCli(args);
    expect(first.err).not.toMatch(/building index/);
    const marked = lastJson(first.out);
    expect(marked).toMatchObject({ direction: 'tails', given: { key: 'e30' }, relation: { key: 'parent' }, filtered: false, method: 'exact', scored: 600 });
    const top = JSON.parse((await runCli(['predict', '--checkpoint', roth, '--head', 'e30', '--relation', 'parent', '--tail', marked.answers[0].key, '--json'])).out);
    expect(top.score).toBeCloseTo(marked.answers[0].score, 4);
    expect(top.rank.raw).toBeLessThanOrEqual(1.5);
    marked.answers.forEach((a: any) => expect(a.known).toBe(a.key === 'e9')); // the parent of 30 is (30 − 1)/3 = 9
    // every entity ranked: exactly the one known parent is marked
    const all = lastJson((await runCli(['predict', '--checkpoint', roth, '--head', 'e30', '--relation', 'PARENT', '--k', '599', '--json'])).out);
    expect(all.answers).toHaveLength(599);
    expect(all.answers.filter((a: any) => a.known).map((a: any) => a.key)).toEqual(['e9']);
    const scores = marked.answers.map((a: any) => a.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    const exact = lastJson((await runCli([...args, '--exact'])).out);
    expect(exact.method).toBe('exact');
    expect(exact.scored).toBe(600);
    expect(exact.answers.map((a: any) => a.id)).toEqual(marked.answers.map((a: any) => a.id));
    exact.answers.forEach((a: any, i: number) => expect(a.score).toBe(marked.answers[i].score));
    const filtered = lastJson((await runCli([...args, '--filtered'])).out);
    expect(filtered.answers).toHaveLength(8);
    expect(filtered.answers.some((a: any) => a.known)).toBe(false);
    const unknownBefore = marked.answers.filter((a: any) => !a.known).map((a: any) => a.id);
    expect(filtered.answers.map((a: any) => a.id).slice(0, unknownBefore.length)).toEqual(unknownBefore);
  });

  it('--tail predicts heads through the reciprocal relation; a table marks known answers with ✓', async () => {
    const result = lastJson((await runCli(['predict', '--checkpoint', distmult, '--tail', 'e9', '--relation', 'parent', '--k', '600', '--json'])).out);
    expect(result.direction).toBe('heads');
    expect(result).toMatchObject({ method: 'exact', scored: 600 });
    expect(result.note).toBeUndefined();
    expect(result.answers).toHaveLength(600);
    const children = result.answers.filter((a: any) => a.known).map((a: any) => a.key).sort();
    expect(children).toEqual(['e28', 'e29', 'e30']); // heads h with (h, parent, e9)
    const { out } = await runCli(['predict', '--checkpoint', distmult, '--tail', 'e9', '--relation', 'parent']);
    // the heads' scores are those of the reciprocal query, and the heading says so
    expect(out).toMatch(/^top 10 heads of \(\?, parent, node 9 \(e9\)\) by model score \(exact, 600 scored, scored as \(node 9 \(e9\), parent⁻¹, \?\)\)\nrank {2}entity/);
  });

  it('a run without best.json answers from last.json and says so', async () => {
    const copy = path.join(tmp, 'distmult-no-best');
    cpSync(distmult, copy, { recursive: true });
    rmSync(path.join(copy, 'best.json'));
    const { err } = await runCli(['predict', '--checkpoint', copy, '--head', 'e4', '--relation', 'parent', '--k', '3']);
    expect(err).toContain(`${copy} has no best.json (not validated yet, or removed): using last.json (epoch 4)`);
    const quiet = await runCli(['predict', '--checkpoint', copy, '--head', 'e4', '--relation', 'parent', '--k', '3', '--last']);
    expect(quiet.err).not.toContain('has no best.json');
  });

  it('input errors: head and tail, neither, unknown relation, bad k, filtering without the dataset', async () => {
    const base = ['predict', '--checkpoint', roth, '--relation', 'parent'];
    const scored = JSON.parse((await runCli([...base, '--head', 'e4', '--tail', 'e1', '--json'])).out) as { rank: { filtered: number; raw: number }; known: boolean };
    expect(scored.known).toBe(true); // the parent of 4 is (4 − 1)/3 = 1
    const all = lastJson((await runCli([...base, '--head', 'e4', '--k', '600', '--json'])).out);
    expect(scored.rank).toEqual(ranksFromList(all.answers, 'e1')); // counted from the full list of 600 answers
    await expect(runCli(base)).rejects.toThrow('give --head (to predict tails), --tail (to predict heads), or both (to score one triple)');
    await expect(runCli([...base, '--head', 'e4', '--tail', 'e1', '--k', '5'])).rejects.toThrow('--k applies to a list of answers: with --head and --tail, predict scores one triple (its rank is always filtered); drop --k, or drop --tail');
    await expect(runCli([...base, '--head', 'e4', '--tail', 'e1', '--k', '5', '--filtered'])).rejects.toThrow(/^--k and --filtered apply to a list of answers/);
    await expect(runCli(['predict', '--checkpoint', roth, '--head', 'e1', '--relation', 'parnet'])).rejects.toThrow("unknown relation 'parnet'; did you mean: parent?");
    await expect(runCli([...base, '--head', 'e1', '--k', '-3'])).rejects.toThrow(/expected a positive integer/);
    await expect(runCli([...base, '--head', 'e1', '--k', '601'])).rejects.toThrow('--k must be at most 600, got 601 (this model has 600 entities)');
    const spaced = lastJson((await runCli([...base, '--head', '東京 ', '--k', '3', '--json'])).out); // the name trimmed
    expect(spaced).toMatchObject({ given: { key: 'e4', name: '東京' }, relation: { key: 'parent' } });
    expect(spaced.answers).toHaveLength(3);
    const moved = `${graph}-moved`;
    renameSync(graph, moved);
    try {
      const { out, err } = await runCli([...base, '--head', 'e1', '--k', '3', '--json']);
      expect(err).toMatch(/not loaded .*no known-triple marking \(if it moved: neighbors, predict and serve take --dataset <where it is now>; openModel takes dataset\)/);
      expect(lastJson(out).answers[0].known).toBeUndefined();
      await expect(runCli([...base, '--head', 'e1', '--filtered'])).rejects.toThrow(/filtering needs the run's dataset/);
      // told where it is now: marked, filtered and named as before the move
      const found = await runCli([...base, '--head', 'e4', '--k', '600', '--dataset', moved, '--json']);
      expect(found.err).toBe('');
      expect(lastJson(found.out).answers).toEqual(all.answers);
      expect(lastJson((await runCli([...base, '--head', 'e1', '--k', '3', '--filtered', '--dataset', moved, '--json'])).out).answers).toHaveLength(3);
      // told a wrong place, or a dataset of other names: an error (exit 1), not answers without marking or raw ranks
      await expect(runCli([...base, '--head', 'e1', '--k', '3', '--dataset', `${graph}-nowhere`])).rejects.toThrow(/^dataset \S+-nowhere not loaded \(.+\): the dataset given must be the run's \(where it is now\), or left out$/);
      const other = await writeSyntheticDataset(path.join(tmp, 'other-graph'), { entities: 30, seed: 5 });
      await expect(runCli([...base, '--head', 'e1', '--tail', 'e4', '--dataset', other])).rejects.toThrow(`dataset ${other} has another vocabulary than the checkpoint: the dataset given must be the run's (where it is now), or left out`);
      await expect(runCli(['neighbors', '--checkpoint', roth, '--entity', 'e1', '--dataset', other])).rejects.toThrow('has another vocabulary than the checkpoint');
    } finally {
      renameSync(moved, graph);
    }
    expect(existsSync(graph)).toBe(true);
    // the run's own dataset with other triples since (as eval refuses it): answers unmarked, with a note, not another graph's marks
    const testFile = path.join(graph, 'test.txt');
    const before = readFileSync(testFile, 'utf8');
    try {
      writeFileSync(testFile, `${before}${readFileSync(path.join(graph, 'train.txt'), 'utf8').split('\n')[0]}\n`);
      const { out, err } = await runCli([...base, '--head', 'e1', '--k', '3', '--json']);
      expect(err).toContain(`dataset ${graph}: its test triples differ from those the run was trained with (the dataset changed since): no known-triple marking (neighbors, predict and serve take --dataset <dir>, openModel takes dataset, to mark answers by these files knowingly)`);
      expect(lastJson(out).answers[0].known).toBeUndefined();
      expect(lastJson((await runCli([...base, '--head', 'e1', '--k', '3', '--dataset', graph, '--json'])).out).answers[0].known).toBeDefined();
    } finally {
      writeFileSync(testFile, before);
    }
  });
});
