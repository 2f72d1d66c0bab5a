// Test fixtures for the fetch limits and messages: a tiny WordNet-like dataset served at the real WN18RR paths
// (the WN18RR recipe checked against the tiny dataset's own SHA256SUMS), and a raw HTTP server whose handler the
// test writes (endless bodies, huge Content-Length, redirects, cut connections), closed after the test file.
import http from 'node:http';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { WN18RR_RECIPE, type DatasetRecipe } from '../../src/kg/dataset-recipes.js';
import type { FetchOptions } from '../../src/kg/fetch-dataset.js';
import { tempDir, writeFiles } from './helpers.js';
import { REMOTE, routeOf, tarGz, type RawServer } from './fetch-fixtures.js';

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The split files the fetch must produce. */
export const TINY_SPLITS: Record<string, string> = {
  'train.txt': '00000001\t_hypernym\t00000002\n00000003\t_also_see\t00000001\n',
  'valid.txt': '00000001\t_hypernym\t00000004\n',
  'test.txt': '00000003\t_hypernym\t00000002\n',
};
/** villmow-style name files, aligned line by line with the splits. */
export const TINY_TEXT: Record<string, string> = {
  train: 'a.n.01\t_hypernym\tb.n.01\nc.v.01\t_also_see\ta.n.01\n',
  valid: 'a.n.01\t_hypernym\td.n.01\n',
  test: 'c.v.01\t_hypernym\tb.n.01\n',
};
const NAMES = '00000001\ta.n.01\n00000002\tb.n.01\n00000003\tc.v.01\n00000004\td.n.01\n';

/** The WN18RR recipe under the name `tiny`, checked against the tiny dataset's SHA256SUMS. */
export function tinyRecipe(): DatasetRecipe {
  const expected: Record<string, string> = { ...TINY_SPLITS, 'entity_names.tsv': NAMES };
  const sums = Object.entries(expected).map(([file, content]) => `${sha(content)}  ${file}\n`).join('');
  const file = path.join(writeFiles(tempDir(), { SHA256SUMS: sums, 'README.md': '# tiny\n' }), 'SHA256SUMS');
  return { ...WN18RR_RECIPE, name: 'tiny', checksumsFile: () => file };
}

/** A new cache directory and the options of a quiet fetch of the tiny dataset into it from `server` (5 s timeout). */
export function tinyFetchSetup(server: RawServer): { root: string; options: () => FetchOptions } {
  const root = path.join(tempDir(), 'cache');
  const recipe = tinyRecipe();
  return { root, options: () => ({ recipe, root, baseUrl: server.url, timeoutMs: 5_000, log: () => undefined }) };
}

/** Remote path → bytes of the tiny dataset's sources; `archive` replaces the archive's members (e.g. a bomb). */
export async function tinySources(archive: Record<string, string | Buffer> = TINY_SPLITS): Promise<Map<string, Buffer>> {
  const sources = new Map<string, Buffer>([[REMOTE.wnArchive, await tarGz(archive)]]);
  for (const [split, text] of Object.entries(TINY_TEXT)) sources.set(REMOTE.wnNames(split), Buffer.from(text));
  return sources;
}

/** What a test's server sends for a path: bytes, or a function that answers itself. */
export type Answer = Buffer | ((response: http.ServerResponse) => void);

/** A handler answering each path from `answers()` (404 for others; bytes with their Content-Length). */
export function answering(answers: () => ReadonlyMap<string, Answer>): http.RequestListener {
  return (request, response) => {
    const answer = answers().get(routeOf(request));
    if (answer === undefined) {
      response.writeHead(404).end();
      return;
    }
    if (typeof answer === 'function') return answer(response);
    response.writeHead(200, { 'content-length': String(answer.length) }).end(answer);
  };
}

export { startRawServer, routeOf, type RawServer } from './fetch-fixtures.js';
