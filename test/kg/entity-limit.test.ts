// The readers' optional bound on a train split's entities (LoadOptions.maxEntities): reading stops at the line that
// names one entity too many, whichever reader path the file takes, with the file, the line and the counts; valid and
// test are not bounded; a count at the bound loads; a bad bound is refused by name.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EntityLimitError, loadDataset } from '../../src/kg/dataset.js';
import { NameTable, readTripleIds } from '../../src/kg/triple-reader.js';
import { tempDir, writeFiles } from './helpers.js';

const dir = tempDir('kgdistill-entity-limit-');

/** `lines` triples each naming two new entities (e0 r0 e1, e2 r1 e3, …) joined by `sep`, after a comment and a blank line. */
function pairs(lines: number, sep: string, from = 0): string {
  let text = '# two new entities a line\n\n';
  for (let i = from; i < from + lines; i++) text += `e${2 * i}${sep}r${i % 3}${sep}e${2 * i + 1}\n`;
  return text;
}

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

  it('loadDataset bounds the train split only, and reads a train split at the bound', async () => {
    const data = writeFiles(path.join(dir, 'dataset'), { 'train.txt': pairs(10, '\t'), 'valid.txt': pairs(5, '\t', 10), 'test.txt': pairs(5, '\t', 20) });
    const loaded = await loadDataset(data, { maxEntities: 20, verify: false }); // train names 20; valid and test 20 more, unbounded
    expect(loaded.entities.size).toBe(40);
    const error = await rejection(loadDataset(data, { maxEntities: 19, verify: false }));
    expect([error.file, error.line, error.entities]).toEqual([path.join(data, 'train.txt'), 12, 20]);
  });

  it('refuses a bound that is not a whole number ≥ 0, by name', async () => {
    await expect(loadDataset(dir, { maxEntities: -1 })).rejects.toThrow('loadDataset: maxEntities must be a whole number ≥ 0 (got -1)');
    await expect(loadDataset(dir, { maxEntities: 1.5 })).rejects.toThrow('loadDataset: maxEntities must be a whole number ≥ 0 (got 1.5)');
  });
});
