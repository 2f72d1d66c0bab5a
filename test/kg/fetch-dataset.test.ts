// Fetching a dataset from a server on 127.0.0.1: the real WN18RR and FB15k-237 recipes (paths, unpacking,
// normalisation, entity names) run on small files made here, checked against their own SHA256SUMS. Every failure
// (404, truncated body, bad checksum, bad archive, no response, stalled body) names the dataset, the URL or file and
// the reason, and leaves nothing in the cache; the next fetch works.
import { describe, it, expect, beforeEach } from 'vitest';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { fetchDataset, DatasetFetchError, type FetchOptions } from '../../src/kg/fetch-dataset.js';
import { FB15K237_RECIPE, WN18RR_RECIPE, type DatasetRecipe } from '../../src/kg/dataset-recipes.js';
import { tempDir, writeFiles } from './helpers.js';
import { REMOTE, startServer, tarGz, type TestServer } from './fetch-fixtures.js';

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

// A tiny WordNet-like dataset: the files the fetch must produce, and the sources it is made from.
const SPLITS = {
  'train.txt': '00000001\t_hypernym\t00000002\n00000003\t_also_see\t00000001\n00000002\t_hypernym\t00000004\n',
  'valid.txt': '00000001\t_hypernym\t00000004\n',
  'test.txt': '00000003\t_hypernym\t00000002\n',
};
const TEXT = {
  train: 'a.n.01\t_hypernym\tb.n.01\nc.v.01\t_also_see\ta.n.01\nb.n.01\t_hypernym\td.n.01\n',
  valid: 'a.n.01\t_hypernym\tother.n.09\n', // a later, different name for 00000004: the first one seen is kept
  test: 'c.v.01\t_hypernym\tb.n.01\n',
};
const NAMES = '00000001\ta.n.01\n00000002\tb.n.01\n00000003\tc.v.01\n00000004\td.n.01\n';
const EXPECTED: Record<string, string> = { ...SPLITS, 'entity_names.tsv': NAMES };
const SUMS = Object.entries(EXPECTED).map(([file, content]) => `${sha(content)}  ${file}\n`).join('');

/** The WN18RR recipe under another name, checked against the tiny dataset's own SHA256SUMS. */
function tinyRecipe(): DatasetRecipe {
  const sums = path.join(writeFiles(tempDir(), { SHA256SUMS: SUMS, 'README.md': '# tiny\n' }), 'SHA256SUMS');
  return { ...WN18RR_RECIPE, name: 'tiny', checksumsFile: () => sums };
}

/** Serves the tiny dataset's sources at the real WN18RR paths. */
async function serveTiny(server: TestServer): Promise<void> {
  server.routes.clear();
  server.routes.set(REMOTE.wnArchive, { body: await tarGz(SPLITS) });
  for (const [split, text] of Object.entries(TEXT)) server.routes.set(REMOTE.wnNames(split), { body: Buffer.from(text) });
}

/** Everything under a directory, relative paths sorted (hidden entries included). */
function listing(dir: string): string[] {
  return fs.existsSync(dir) ? (fs.readdirSync(dir, { recursive: true }) as string[]).sort() : [];
}

describe('fetchDataset', () => {
  let server: TestServer;
  let root: string;
  let lines: string[];
  let options: () => FetchOptions;
  beforeEach(async () => {
    server ??= await startServer();
    await serveTiny(server);
    server.hits.length = 0;
    root = path.join(tempDir(), 'cache');
    lines = [];
    const recipe = tinyRecipe();
    options = () => ({ recipe, root, baseUrl: server.url, timeoutMs: 2_000, log: (line) => lines.push(line) });
  });

  /** The DatasetFetchError a fetch fails with, after checking that the cache holds nothing at all. */
  async function failure(fetchOptions: FetchOptions = options()): Promise<DatasetFetchError> {
    const error = await fetchDataset('tiny', fetchOptions).then(
      () => new Error('expected the fetch to fail'),
      (e: unknown) => e,
    );
    if (!(error instanceof DatasetFetchError)) throw error;
    expect(listing(root)).toEqual([]);
    return error;
  }

  it('downloads, unpacks, derives the names, verifies, moves into place and says what it fetched', async () => {
    const report = await fetchDataset('tiny', options());
    const dir = path.join(root, 'tiny');
    expect(report).toMatchObject({ name: 'tiny', dir, status: 'fetched' });
    expect(listing(root)).toEqual(['tiny', ...['README.md', 'SHA256SUMS', ...Object.keys(EXPECTED)].sort().map((f) => path.join('tiny', f))]);
    for (const [file, content] of Object.entries(EXPECTED)) expect(fs.readFileSync(path.join(dir, file), 'utf8')).toBe(content);
    expect(fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8')).toBe(SUMS);
    expect(report.files.map((f) => f.file)).toEqual(['train.txt', 'valid.txt', 'test.txt', 'entity_names.tsv']);
    expect(report.sources.map((s) => s.url)).toEqual([REMOTE.wnArchive, ...['train', 'valid', 'test'].map(REMOTE.wnNames)].map((p) => `${server.url}/${p}`));
    expect(lines[0]).toBe(`tiny: fetching 4 files into ${dir}`);
    expect(lines[1]).toMatch(new RegExp(`^  ${server.url}/TimDettmers/ConvE/f3c0eb2\\w+/WN18RR\\.tar\\.gz  \\d+ bytes$`));
    const sizes = Object.entries(EXPECTED).map(([file, content]) => `${file} ${content.length} bytes`).join(', ');
    expect(lines.at(-2)).toBe(`tiny: ${sizes}; 4 checksums verified against ${options().recipe!.checksumsFile()}`);
    expect(lines.at(-1)).toBe(`tiny: ready in ${dir}`);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o755);

    server.hits.length = 0;
    lines.length = 0;
    expect(await fetchDataset('tiny', options())).toMatchObject({ status: 'present', dir, sources: [] });
    expect(server.hits).toEqual([]);
    expect(lines).toEqual([`tiny: already in ${dir}; 4 checksums verified against ${options().recipe!.checksumsFile()} (--force fetches it again)`]);
  });

  it("a copy caught while another process's --force fetch swaps it is looked at again, not called damaged", async () => {
    const { dir } = await fetchDataset('tiny', options());
    const aside = path.join(root, `.replaced-tiny-${process.ppid}-abcd1234`); // a running process's swap
    fs.renameSync(dir, aside);
    fs.mkdirSync(dir); // the half of the swap a plain fetch could see: a copy without its files
    const swapped = new Promise<void>((resolve) => setTimeout(() => {
      fs.rmSync(dir, { recursive: true });
      fs.renameSync(aside, dir); // the swap ends: the copy is whole again and nothing is aside
      resolve();
    }, 300));
    server.hits.length = 0;
    expect(await fetchDataset('tiny', options())).toMatchObject({ status: 'present', dir });
    await swapped;
    expect(server.hits).toEqual([]);
    // a damaged copy with no swap going on is still reported at once
    fs.rmSync(path.join(dir, 'valid.txt'));
    await expect(fetchDataset('tiny', options())).rejects.toThrow(/is already there but .*valid\.txt.*move it away/);
  });

  it('reports HTTP 404 with the URL, keeps nothing, and fetches once the file is there', async () => {
    server.routes.delete(REMOTE.wnNames('valid'));
    const error = await failure();
    expect(error.message).toBe(`cannot fetch tiny: ${server.url}/${REMOTE.wnNames('valid')}: HTTP 404 Not Found`);
    expect(error).toMatchObject({ dataset: 'tiny', source: `${server.url}/${REMOTE.wnNames('valid')}`, reason: 'HTTP 404 Not Found' });
    await serveTiny(server);
    expect((await fetchDataset('tiny', options())).status).toBe('fetched');
  });

  it('reports a truncated body (connection closed before Content-Length bytes)', async () => {
    const body = server.routes.get(REMOTE.wnArchive)!.body!;
    server.routes.set(REMOTE.wnArchive, { body, truncateAt: 40 });
    const error = await failure();
    expect(error.message).toBe(`cannot fetch tiny: ${server.url}/${REMOTE.wnArchive}: truncated: the connection closed after 40 of ${body.length} bytes`);
    await serveTiny(server);
    expect((await fetchDataset('tiny', options())).status).toBe('fetched');
  });

  it('reports a wrong checksum, naming the file, the URLs it was made from and both digests', async () => {
    // Another test triple (its ids all named first in train, so entity_names.tsv is unchanged).
    server.routes.set(REMOTE.wnArchive, { body: await tarGz({ ...SPLITS, 'test.txt': '00000003\t_hypernym\t00000004\n' }) });
    server.routes.set(REMOTE.wnNames('test'), { body: Buffer.from('c.v.01\t_hypernym\td.n.01\n') });
    const error = await failure();
    const sums = options().recipe!.checksumsFile();
    expect(error.source).toBe(`test.txt (made from ${server.url}/${REMOTE.wnArchive})`);
    expect(error.reason).toBe(`bad checksum: SHA-256 is ${sha('00000003\t_hypernym\t00000004\n')}, ${sums} says ${sha(SPLITS['test.txt'])}`);
    await serveTiny(server);
    expect((await fetchDataset('tiny', options())).status).toBe('fetched');
  });

  it('reports an archive that is not a tar.gz, and text files that do not match the splits', async () => {
    server.routes.set(REMOTE.wnArchive, { body: Buffer.from('<html>moved</html>') });
    expect((await failure()).message).toMatch(new RegExp(`^cannot fetch tiny: ${server.url}/${REMOTE.wnArchive}: not a readable tar.gz archive \\(`));
    await serveTiny(server);
    server.routes.set(REMOTE.wnNames('train'), { body: Buffer.from('a.n.01\t_hypernym\tb.n.01\n') });
    expect((await failure()).message).toBe(`cannot fetch tiny: ${server.url}/${REMOTE.wnNames('train')}: has 1 triple lines, train.txt has 3`);
  });

  it('gives up on a server that does not answer, or stops sending, within the timeout', async () => {
    server.routes.set(REMOTE.wnArchive, { ...server.routes.get(REMOTE.wnArchive)!, delayMs: 5_000 });
    const started = Date.now();
    const silent = await failure({ ...options(), timeoutMs: 200, timeoutSetting: '--timeout' });
    expect(silent.message).toBe(`cannot fetch tiny: ${server.url}/${REMOTE.wnArchive}: no response within 0.2 s (timeout; raise it with --timeout)`);
    const body = server.routes.get(REMOTE.wnNames('train'))!.body!;
    await serveTiny(server);
    server.routes.set(REMOTE.wnNames('train'), { body, stallAfter: 10 });
    const stalled = await failure({ ...options(), timeoutMs: 200 });
    expect(stalled.reason).toBe(`no data for 0.2 s after 10 of ${body.length} bytes (timeout; raise it with KGDISTILL_FETCH_TIMEOUT (seconds))`);
    expect(Date.now() - started).toBeLessThan(3_000);
    await serveTiny(server);
    expect((await fetchDataset('tiny', options())).status).toBe('fetched');
  });

  it('takes the timeout from KGDISTILL_FETCH_TIMEOUT and the base URL from KGDISTILL_DATA_URL, and rejects bad values', async () => {
    const saved = { timeout: process.env.KGDISTILL_FETCH_TIMEOUT, url: process.env.KGDISTILL_DATA_URL };
    try {
      process.env.KGDISTILL_DATA_URL = server.url;
      process.env.KGDISTILL_FETCH_TIMEOUT = 'soon';
      const { baseUrl: _base, timeoutMs: _timeout, ...fromEnv } = options();
      await expect(fetchDataset('tiny', fromEnv)).rejects.toThrow("KGDISTILL_FETCH_TIMEOUT: expected a positive number of seconds, got 'soon'");
      process.env.KGDISTILL_FETCH_TIMEOUT = '0.2';
      server.routes.set(REMOTE.wnArchive, { ...server.routes.get(REMOTE.wnArchive)!, delayMs: 5_000 });
      expect((await failure(fromEnv)).reason).toMatch(/^no response within 0.2 s/);
      await serveTiny(server);
      expect((await fetchDataset('tiny', fromEnv)).status).toBe('fetched');
      process.env.KGDISTILL_DATA_URL = 'ftp://example.org';
      await expect(fetchDataset('tiny', { ...fromEnv, force: true })).rejects.toThrow("KGDISTILL_DATA_URL: unsupported URL scheme 'ftp:' (expected http, https or file)");
    } finally {
      for (const [key, value] of [['KGDISTILL_FETCH_TIMEOUT', saved.timeout], ['KGDISTILL_DATA_URL', saved.url]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('reads a file: mirror with the same layout', async () => {
    const mirror = tempDir();
    for (const [route, { body }] of server.routes) {
      fs.mkdirSync(path.dirname(path.join(mirror, route)), { recursive: true });
      fs.writeFileSync(path.join(mirror, route), body!);
    }
    const report = await fetchDataset('tiny', { ...options(), baseUrl: pathToFileURL(mirror).href });
    expect(report.status).toBe('fetched');
    expect(server.hits).toEqual([]);
    fs.rmSync(path.join(mirror, REMOTE.wnNames('test')));
    await expect(fetchDataset('tiny', { ...options(), baseUrl: pathToFileURL(mirror).href, force: true })).rejects.toThrow(/WN18RR\/text\/test.txt: file not found$/);
    expect(listing(root).filter((entry) => entry.startsWith('.'))).toEqual([]);
  });

  it('refuses to overwrite a bad copy without --force, replaces it with --force, and removes leftovers of dead fetches', async () => {
    await fetchDataset('tiny', options());
    const dir = path.join(root, 'tiny');
    fs.writeFileSync(path.join(dir, 'valid.txt'), 'changed\n');
    await expect(fetchDataset('tiny', options())).rejects.toThrow(`cannot fetch tiny: ${dir}: is already there but valid.txt: bad checksum; move it away, or fetch with --force to replace it`);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const leftover = path.join(root, `.partial-tiny-${dead}-abc123`);
    writeFiles(leftover, { 'train.txt': 'half' });
    expect((await fetchDataset('tiny', { ...options(), force: true })).status).toBe('fetched');
    expect(fs.readFileSync(path.join(dir, 'valid.txt'), 'utf8')).toBe(SPLITS['valid.txt']);
    expect(listing(root).filter((entry) => !entry.startsWith('tiny'))).toEqual([]);
  });

  it('a --force fetch killed between its two moves left the previous copy aside: the next fetch puts it back, downloading nothing', async () => {
    await fetchDataset('tiny', options());
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.renameSync(path.join(root, 'tiny'), path.join(root, `.replaced-tiny-${dead}-abcd1234`));
    server.hits.length = 0;
    expect((await fetchDataset('tiny', options())).status).toBe('present');
    expect(server.hits).toEqual([]);
    expect(fs.readdirSync(root)).toEqual(['tiny']);
    for (const [file, content] of Object.entries(EXPECTED)) expect(fs.readFileSync(path.join(root, 'tiny', file), 'utf8')).toBe(content);
  });

  it('lets two fetches race for the same directory: both succeed, one copy stays, nothing else', async () => {
    const reports = await Promise.all([fetchDataset('tiny', options()), fetchDataset('tiny', options())]);
    expect(reports.map((r) => r.dir)).toEqual([path.join(root, 'tiny'), path.join(root, 'tiny')]);
    expect(fs.readdirSync(root)).toEqual(['tiny']);
    for (const [file, content] of Object.entries(EXPECTED)) expect(fs.readFileSync(path.join(root, 'tiny', file), 'utf8')).toBe(content);
  });

  it('names the known datasets for an unknown name', async () => {
    await expect(fetchDataset('YAGO3-10', { root })).rejects.toThrow('YAGO3-10: unknown dataset: kgdistill can fetch FB15k-237, WN18RR');
  });
});

describe('the FB15k-237 recipe', () => {
  it('removes carriage returns and keeps the labels of the entities in the splits, sorted by id', async () => {
    const server = await startServer();
    const splits = { 'train.txt': '/m/02\t/r/a\t/m/01\r\n/m/03\t/r/b\t/m/02\r\n', 'valid.txt': '/m/01\t/r/a\t/m/03\r\n', 'test.txt': '/m/02\t/r/b\t/m/03\r\n' };
    const labels = { '/m/03': { label: 'Three' }, '/m/01': { label: 'One', description: 'x' }, '/m/99': { label: 'Not in the splits' }, '/m/02': { alternatives: [] } };
    server.routes.set(REMOTE.fbArchive, { body: await tarGz(splits) });
    server.routes.set(REMOTE.fbLabels, { body: Buffer.from(JSON.stringify(labels)) });
    const expected: Record<string, string> = { ...Object.fromEntries(Object.entries(splits).map(([f, c]) => [f, c.replace(/\r/g, '')])), 'entity_names.tsv': '/m/01\tOne\n/m/03\tThree\n' };
    const sums = path.join(writeFiles(tempDir(), { SHA256SUMS: Object.entries(expected).map(([f, c]) => `${sha(c)}  ${f}\n`).join('') }), 'SHA256SUMS');
    const root = tempDir();
    const report = await fetchDataset('fb', { recipe: { ...FB15K237_RECIPE, name: 'fb', checksumsFile: () => sums }, root, baseUrl: server.url, log: () => undefined });
    for (const [file, content] of Object.entries(expected)) expect(fs.readFileSync(path.join(report.dir, file), 'utf8')).toBe(content);
  });
});
