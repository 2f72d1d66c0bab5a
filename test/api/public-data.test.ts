// The public data and export functions check their options by key before doing anything, as train's are checked:
// fetchDataset, splitTriples and exportRun from 'kgdistill' (an unknown or bad key is an OptionsError naming it,
// with the key it probably meant), then do what the functions they wrap do.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatasetFetchError, KgInputError, OptionsError, TrainingDivergedError, exportRun, fetchDataset, splitTriples, syntheticGraph } from '../../src/index.js';
import { splitTriples as splitOfKg } from '../../src/kg/split-triples.js';
import { TrainingDivergedError as CoreTrainingDivergedError } from '../../src/core/training-diverged.js';
import { startServer, type TestServer } from '../kg/fetch-fixtures.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-public-data-'));
let server: TestServer | undefined;
afterAll(async () => server?.close());

/** The OptionsError a call throws or rejects with (a failure if it does not). */
async function refusal(call: () => unknown): Promise<OptionsError> {
  const error = await Promise.resolve().then(call).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(OptionsError);
  return error as OptionsError;
}

describe('fetchDataset', () => {
  it('refuses an unknown or bad option by key, before anything is made', async () => {
    const root = path.join(tmp, 'cache-refused');
    expect((await refusal(() => fetchDataset('WN18RR', { root, forse: true } as never))).message).toBe("fetchDataset: unknown key 'forse' (did you mean 'force'?)");
    expect((await refusal(() => fetchDataset('WN18RR', { root, timeoutMs: 0 }))).message).toBe('fetchDataset: timeoutMs must be a number of milliseconds > 0 (got 0)');
    expect((await refusal(() => fetchDataset('WN18RR', { root, signal: 'stop' } as never))).problems.map((p) => p.key)).toEqual(['signal']);
    expect(existsSync(root)).toBe(false);
  });

  it('fetches as the command line does: an unknown name, and a server without the files, each its own error, nothing kept', async () => {
    const root = path.join(tmp, 'cache');
    await expect(fetchDataset('WN19', { root })).rejects.toThrow(KgInputError);
    server = await startServer(); // serves nothing: every file is a 404
    const lines: string[] = [];
    const failed = fetchDataset('WN18RR', { root, baseUrl: server.url, log: (line) => lines.push(line) });
    await expect(failed).rejects.toThrow(DatasetFetchError);
    await expect(failed).rejects.toThrow(/404/);
    expect(server.hits.length).toBeGreaterThan(0);
    expect(existsSync(path.join(root, 'WN18RR'))).toBe(false);
  });
});

describe('splitTriples', () => {
  const triples = syntheticGraph({ entities: 40, seed: 3 }).train;

  it('refuses an unknown key (a default would be used silently) and ratios that are not three fractions summing to 1', async () => {
    expect((await refusal(() => splitTriples(triples, { sed: 3 } as never))).message).toBe("splitTriples: unknown key 'sed' (did you mean 'seed'?)");
    expect((await refusal(() => splitTriples(triples, { ratios: [0.5, 0.5] as never }))).message).toBe('splitTriples: ratios must be three fractions (got [0.5,0.5])');
    expect((await refusal(() => splitTriples(triples, { ratios: [0.5, 0.3, 0.3] }))).message).toBe('splitTriples: ratios must be three fractions ≥ 0 summing to 1, train > 0 (got [0.5,0.3,0.3])');
    expect((await refusal(() => splitTriples(triples, { seed: 1.5 }))).problems.map((p) => p.key)).toEqual(['seed']);
  });

  it('splits as the reader of one file does, by the seed', () => {
    const options = { ratios: [0.6, 0.2, 0.2] as const, seed: 7 };
    const split = splitTriples(triples, options);
    expect(split).toEqual(splitOfKg(triples, options));
    expect(split.valid.length + split.test.length).toBeGreaterThan(0);
    expect(split).not.toEqual(splitTriples(triples, { ...options, seed: 8 }));
  });
});

describe('exportRun and TrainingDivergedError', () => {
  it("refuses an unknown option before the run is read (a misspelt 'last' would export the best checkpoint)", async () => {
    const error = await refusal(() => exportRun(path.join(tmp, 'no-run'), 'tsv', path.join(tmp, 'out'), { lats: true } as never));
    expect(error.message).toBe("exportRun: unknown key 'lats'");
    expect(existsSync(path.join(tmp, 'out'))).toBe(false);
  });

  it('exports the class a diverged run throws, for instanceof', () => {
    expect(TrainingDivergedError).toBe(CoreTrainingDivergedError);
  });
});
