// A write that fails while a fetched dataset is stored (review finding F10): the message names the file and says
// "cannot write" in plain words (here EFBIG, as under `ulimit -f`), and nothing is left in the cache. The file
// system's writeFile is replaced so that writing train.txt fails.
import { describe, it, expect, vi } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';

vi.mock('node:fs/promises', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile: typeof original.writeFile = (file, ...rest) => {
    if (String(file).endsWith(`${path.sep}train.txt`) && String(file).includes('.partial-')) {
      return Promise.reject(Object.assign(new Error('EFBIG: file too large, write'), { code: 'EFBIG' }));
    }
    return original.writeFile(file, ...rest);
  };
  return { ...original, default: { ...original, writeFile }, writeFile };
});

const { fetchDataset, DatasetFetchError } = await import('../../src/kg/fetch-dataset.js');
const { tempDir } = await import('./helpers.js');
const { routeOf, startRawServer, tinyRecipe, tinySources } = await import('./fetch-tiny.js');

describe('write failures (F10)', () => {
  it('name the file and say "cannot write", and leave nothing', async () => {
    const sources = await tinySources();
    const server = await startRawServer((request, response) => {
      const body = sources.get(routeOf(request));
      if (body) response.writeHead(200, { 'content-length': String(body.length) }).end(body);
      else response.writeHead(404).end();
    });
    const root = path.join(tempDir(), 'cache');
    const error = await fetchDataset('tiny', { recipe: tinyRecipe(), root, baseUrl: server.url, timeoutMs: 5_000, log: () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetFetchError);
    expect((error as Error).message).toBe(
      `cannot fetch tiny: ${path.join(root, 'tiny', 'train.txt')}: cannot write: file too large (for the file system, or the process's file-size limit, ulimit -f) (EFBIG)`,
    );
    expect(fs.existsSync(root)).toBe(false);
  });
});
