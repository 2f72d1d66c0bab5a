// loadDataset's options are checked before anything is read: each bad key or value is an error naming both.
import { describe, expect, it } from 'vitest';
import { loadDataset, type LoadOptions } from '../../src/kg/dataset.js';
import { tempDir, writeFiles } from './helpers.js';

const FILES = { 'train.txt': 'a\tr\tb\nb\tr\tc\n', 'valid.txt': 'a\tr\tc\n', 'test.txt': 'x\tr\ta\n' };

describe('loadDataset options', () => {
  const refused = (options: unknown): Promise<unknown> => loadDataset(writeFiles(tempDir(), FILES), options as LoadOptions);

  it('refuses a bad value naming the key and the value given', async () => {
    await expect(refused({ unseen: 'purge' })).rejects.toThrow('loadDataset: unseen must be one of keep, drop, error (got "purge")');
    await expect(refused({ columns: 'trh' })).rejects.toThrow(`loadDataset: columns must be 'hrt', 'htr' or three different 0-based positions such as [0, 2, 1] (got "trh")`);
    await expect(refused({ columns: [0, 1] })).rejects.toThrow('loadDataset: columns must be');
    await expect(refused({ columns: [0, 1, 1] })).rejects.toThrow('(got [0,1,1])');
    await expect(refused({ delimiter: 'pipe' })).rejects.toThrow(`loadDataset: delimiter must be '\\t', ',' or ' ' (got "pipe")`);
    await expect(refused({ header: 'maybe' })).rejects.toThrow(`loadDataset: header must be true, false or 'auto' (got "maybe")`);
    await expect(refused({ encoding: 'utf16' })).rejects.toThrow(`loadDataset: encoding must be 'utf8' or 'latin1' (got "utf16")`);
    await expect(refused({ verify: 'no' })).rejects.toThrow('loadDataset: verify must be true or false (got "no")');
  });

  it('refuses an unknown key, listing the known ones', async () => {
    await expect(refused({ unsen: 'drop' })).rejects.toThrow("loadDataset: unknown option 'unsen' (the options: unseen, verify, cwd, download, onProgress, delimiter, columns, header, encoding, onBytes, log, signal, maxEntities, maxEntitiesWithValid)");
  });

  it("types only the keys it takes: the file reader's own flagHints and headerlessOrder are refused at compile time too", async () => {
    const dir = writeFiles(tempDir(), FILES);
    // @ts-expect-error -- not a LoadOptions key (the type once said it was, and loadDataset refused it)
    await expect(loadDataset(dir, { flagHints: false })).rejects.toThrow("loadDataset: unknown option 'flagHints'");
    // @ts-expect-error -- not a LoadOptions key
    await expect(loadDataset(dir, { headerlessOrder: 'htr' })).rejects.toThrow("loadDataset: unknown option 'headerlessOrder'");
  });

  it('takes every valid form (the unseen triple of test dropped or kept as asked)', async () => {
    const dir = writeFiles(tempDir(), FILES);
    const dropped = await loadDataset(dir, { unseen: 'drop', columns: [0, 1, 2], delimiter: '\t', header: false, encoding: 'utf8', verify: false });
    expect(dropped.test.length).toBe(0);
    const kept = await loadDataset(dir, { unseen: 'keep', columns: 'hrt', header: 'auto' });
    expect(kept.test.length).toBe(3);
  });
});
