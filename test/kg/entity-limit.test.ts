// The readers' optional bound on a dataset's entities (LoadOptions.maxEntities): reading stops at the line that names
// one entity too many, whichever reader path the file takes, with the file, the line, the counts and the split; valid
// and test are bounded under --unseen keep (their names join the vocabulary), not under drop or error; a count at the
// bound loads; a bad bound is refused by name.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EntityLimitError, loadDataset, type LoadOptions } from '../../src/kg/dataset.js';
import { NameTable, readTripleIds } from '../../src/kg/triple-reader.js';
import { entityPairs, tempDir, writeFiles } from './helpers.js';

const dir = tempDir('kgdistill-entity-limit-');

/** `lines` triples each naming two new entities (e0 r0 e1, e2 r1 e3, …) joined by `sep`, after a comment and a blank line. */
const pairs = (lines: number, sep: string, from = 0): string => entityPairs(lines, { from, sep, heading: '# two new entities a line\n\n' });

/** The error `read` rejects with. */
async function rejection(read: Promise<unknown>): Promise<EntityLimitError> {
  const error = await read.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(EntityLimitError);
  return error as EntityLimitError;
}

describe('maxEntities', () => {
  it.each([['tab (the byte path)', '\t', 'tab.tsv'], ['comma (csv-parse)', ',', 'comma.csv'], ['spaces (the line reader)', ' ', 'space.txt']])('stops a %s file at the line past the bound', async (_, sep, name) => {
    const file = path.join(writeFiles(path.join(dir, name), { [name]: pairs(100, sep) }), name);
    const error = await rejection(readTripleIds(file, {}, new NameTable(), new NameTable(), 50));
    // line 3 holds e0 e1; the 26th triple (line 28) names entities 51 and 52
    expect({ file: error.file, line: error.line, entities: error.entities, relations: error.relations, limit: error.limit }).toEqual({ file, line: 28, entities: 52, relations: 3, limit: 50 });
    expect(error.message).toBe(`${file}:28: 52 entities named by this line, more than the 50 allowed (maxEntities); reading stopped`);
    // at the bound: read whole
    const whole = await readTripleIds(file, {}, new NameTable(), new NameTable(), 200);
    expect(whole.lines.length).toBe(100);
  });

  it('loadDataset bounds every split under keep, in the order train, valid, test, and reads a dataset at the bound', async () => {
    const data = writeFiles(path.join(dir, 'dataset'), { 'train.txt': pairs(10, '\t'), 'valid.txt': pairs(5, '\t', 10), 'test.txt': pairs(5, '\t', 20) });
    const loaded = await loadDataset(data, { maxEntities: 40, verify: false }); // train names 20, valid 10 more, test 10 more
    expect(loaded.entities.size).toBe(40);
    const crossing = async (maxEntities: number, unseen?: 'keep' | 'drop'): Promise<unknown[]> => {
      const error = await rejection(loadDataset(data, { maxEntities, verify: false, ...(unseen ? { unseen } : {}) }));
      return [path.basename(error.file), error.line, error.entities, error.split, error.trainEntities, error.withValid];
    };
    expect(await crossing(19)).toEqual(['train.txt', 12, 20, 'train', undefined, false]); // line 12: the 10th triple, entities 19 and 20
    // valid's first triple (line 3) names entities 21 and 22; test's third (line 5) 35 and 36, after valid's ten
    expect(await crossing(20)).toEqual(['valid.txt', 3, 22, 'valid', 20, true]);
    expect(await crossing(34, 'keep')).toEqual(['test.txt', 5, 36, 'test', 20, true]);
  });

  it('under drop, valid and test are not bounded: the names they add are dropped', async () => {
    const data = writeFiles(path.join(dir, 'dropped'), { 'train.txt': pairs(10, '\t'), 'valid.txt': pairs(5, '\t', 10), 'test.txt': pairs(5, '\t', 20) });
    const loaded = await loadDataset(data, { maxEntities: 20, verify: false, unseen: 'drop' });
    expect([loaded.entities.size, loaded.valid.length, loaded.report.unseen.valid]).toEqual([20, 0, 5]);
    // under error, valid's first unseen name is its own error, not a bound's
    const error = await loadDataset(data, { maxEntities: 20, verify: false, unseen: 'error' }).then(() => undefined, (e: unknown) => e as Error);
    expect(error).not.toBeInstanceOf(EntityLimitError);
    expect(error?.message).toMatch(new RegExp(`^${path.join(data, 'valid.txt')}:3: .* does not occur in train \\(--unseen error; use drop or keep\\)$`));
  });

  it('maxEntitiesWithValid: the lower bound once the valid split is known to have a triple, train included (not under drop)', async () => {
    const data = writeFiles(path.join(dir, 'validated'), { 'train.txt': pairs(10, '\t'), 'valid.txt': pairs(5, '\t', 10), 'test.txt': pairs(5, '\t', 20) });
    const crossing = async (options: LoadOptions): Promise<unknown[]> => {
      const error = await rejection(loadDataset(data, { verify: false, ...options }));
      return [path.basename(error.file), error.line, error.entities, error.limit, error.withValid];
    };
    // valid's first triple is found before train is read: train's 10th triple (line 12) names entities 19 and 20
    expect(await crossing({ maxEntities: 40, maxEntitiesWithValid: 19 })).toEqual(['train.txt', 12, 20, 19, true]);
    expect((await rejection(loadDataset(data, { verify: false, maxEntities: 40, maxEntitiesWithValid: 19 }))).message)
      .toBe(`${path.join(data, 'train.txt')}:12: 20 entities named by this line, more than the 19 allowed (maxEntitiesWithValid); reading stopped`);
    expect(await crossing({ maxEntities: 40, maxEntitiesWithValid: 19, unseen: 'error' })).toEqual(['train.txt', 12, 20, 19, true]);
    expect(await crossing({ maxEntities: 100, maxEntitiesWithValid: 30 })).toEqual(['test.txt', 3, 32, 30, true]); // valid ends at 30
    expect(await crossing({ maxEntitiesWithValid: 30 })).toEqual(['test.txt', 3, 32, 30, true]);
    // drop may drop every valid triple (unseen): train is bounded by maxEntities alone
    expect((await loadDataset(data, { verify: false, maxEntitiesWithValid: 19, unseen: 'drop' })).entities.size).toBe(20);
    // no triple in valid (a comment, a blank line, a recognised header): maxEntities alone
    const noValid = writeFiles(path.join(dir, 'no-valid'), { 'train.txt': pairs(10, '\t'), 'valid.txt': '# none\n\nhead\trelation\ttail\n', 'test.txt': pairs(5, '\t', 20) });
    const loaded = await loadDataset(noValid, { verify: false, maxEntities: 30, maxEntitiesWithValid: 19 });
    expect([loaded.entities.size, loaded.valid.length, loaded.report.headers?.valid?.line]).toEqual([30, 0, 3]);
  });

  it('refuses a bound that is not a whole number ≥ 0, by name', async () => {
    await expect(loadDataset(dir, { maxEntities: -1 })).rejects.toThrow('loadDataset: maxEntities must be a whole number ≥ 0 (got -1)');
    await expect(loadDataset(dir, { maxEntities: 1.5 })).rejects.toThrow('loadDataset: maxEntities must be a whole number ≥ 0 (got 1.5)');
    await expect(loadDataset(dir, { maxEntitiesWithValid: -2 })).rejects.toThrow('loadDataset: maxEntitiesWithValid must be a whole number ≥ 0 (got -2)');
  });
});
