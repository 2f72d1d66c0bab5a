import { createHash } from 'node:crypto';
// `kgdistill data fetch <name>` and the fetch on first use of a name, against a server on 127.0.0.1: errors name
// the dataset, URL and reason and exit 1; with WN18RR on this machine, its sources are rebuilt and served so that
// the whole path (download, unpack, names, checksums, cache, `data stats` by name) runs on the real files.
import { describe, it, expect, vi, beforeEach, afterEach } from 'vitest';
import { helpOf, runCliCapturing } from '../helpers/run-cli.js';
import { cliProcessFailure, REPO_ROOT } from '../helpers/cli-process.js';
import fs from 'node:fs';
import path from 'node:path';
import { registerDataCommands, parseSecondsOption } from '../../src/cli/commands/data.js';
import { CONVE_COMMIT } from '../../src/kg/dataset-recipes.js';
import { loadDataset } from '../../src/kg/dataset.js';
import { train } from '../../src/index.js';
import { tempDir } from '../kg/helpers.js';
import { startServer, wn18rrMirror, type TestServer } from '../kg/fetch-fixtures.js';
import { describeWithBenchmark } from '../helpers/datasets.js';
import { OptionsError } from '../../src/pipeline/options-error.js';

const ENV_KEYS = ['KGDISTILL_DATA', 'KGDISTILL_DATA_URL', 'KGDISTILL_NO_SHARED', 'KGDISTILL_FETCH_TIMEOUT', 'XDG_CACHE_HOME'] as const;

/** Runs `kgdistill <args>` in-process; returns stdout and stderr. */
const runData = (args: string[]): Promise<{ out: string; err: string }> => runCliCapturing([registerDataCommands], args);

const saved: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};
let server: TestServer;
beforeEach(async () => {
  for (const key of ENV_KEYS) {
    const value = process.env[key];
    if (value === undefined) delete saved[key];
    else saved[key] = value;
    delete process.env[key];
  }
  process.env.XDG_CACHE_HOME = tempDir('kgdistill-cache-');
  server ??= await startServer();
  server.routes.clear();
  server.hits.length = 0;
});
afterEach(() => {
  for (const key of ENV_KEYS) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

describe('kgdistill data fetch', () => {
  it('fails with the dataset, the URL and the reason, writing nothing', async () => {
    const root = tempDir();
    const url = `${server.url}/TimDettmers/ConvE/${CONVE_COMMIT}/WN18RR.tar.gz`;
    await expect(runData(['data', 'fetch', 'wn18rr', '--url', server.url, '--dir', root, '--timeout', '2'])).rejects.toThrow(
      `cannot fetch WN18RR: ${url}: HTTP 404 Not Found`,
    );
    expect(fs.readdirSync(root)).toEqual([]);
    expect(server.hits).toEqual([url.slice(server.url.length + 1)]);
    const made = path.join(root, 'made-by-fetch'); // a --dir the failed fetch created is not left behind; one that existed stays
    await expect(runData(['data', 'fetch', 'wn18rr', '--url', server.url, '--dir', made, '--timeout', '2'])).rejects.toThrow(/HTTP 404/);
    expect(fs.existsSync(made)).toBe(false);
    expect(fs.existsSync(root)).toBe(true);
  });

  it('answers with a copy --dataset already finds by that name, without a download (unless one is asked for)', async () => {
    const data = tempDir();
    const copy = path.join(data, 'WN18RR');
    fs.mkdirSync(copy);
    for (const split of ['train', 'valid', 'test']) fs.writeFileSync(path.join(copy, `${split}.txt`), 'a\tr\tb\n');
    process.env.KGDISTILL_DATA = data;
    process.env.KGDISTILL_DATA_URL = server.url; // were it to download, the test server would be asked (and answer 404)
    const { out, err } = await runData(['data', 'fetch', 'wn18rr']);
    expect(out).toBe(`${copy}\n`);
    expect(err).toBe(`wn18rr: already found at ${copy} (the copy --dataset wn18rr reads); --force, --dir or --url downloads one into the cache\nnote: this copy is not the published WN18RR (train.txt: bad checksum)\n`);
    // --json reports that copy (its files, and why it is not the published WN18RR) instead of downloading one
    const report = JSON.parse((await runData(['data', 'fetch', 'wn18rr', '--json'])).out) as Record<string, unknown>;
    const line = { bytes: 6, sha256: createHash('sha256').update('a\tr\tb\n').digest('hex') };
    expect(report).toMatchObject({ name: 'WN18RR', dir: copy, status: 'found', sources: [], problem: 'train.txt: bad checksum' });
    expect(report.files).toEqual(['train.txt', 'valid.txt', 'test.txt'].map((file) => ({ file, ...line })));
    expect(server.hits).toEqual([]);
    // a copy whose own SHA256SUMS fails is refused, as --dataset would refuse it (it was printed as found, exit 0)
    fs.writeFileSync(path.join(copy, 'SHA256SUMS'), `${line.sha256}  train.txt\n`);
    fs.writeFileSync(path.join(copy, 'train.txt'), 'x\tr\tb\n');
    await expect(runData(['data', 'fetch', 'wn18rr'])).rejects.toThrow(`wn18rr: the copy --dataset wn18rr reads, ${copy}, fails its own SHA256SUMS (`);
    await expect(runData(['data', 'fetch', 'wn18rr', '--json'])).rejects.toThrow(/bad checksum/);
    expect(server.hits).toEqual([]);
  });

  it("the library's train and loadDataset send a download's lines to the caller's log, none to stderr", async () => {
    process.env.KGDISTILL_NO_SHARED = '1';
    process.env.KGDISTILL_DATA = tempDir('kgdistill-empty-data-');
    process.env.KGDISTILL_DATA_URL = server.url; // every file a 404: the fetch fails at its first download
    const errors = vi.spyOn(process.stderr, 'write');
    try {
      const lines: string[] = [];
      await expect(train({ dataset: 'WN18RR', out: path.join(tempDir('kgdistill-run-'), 'run') }, { log: (line) => lines.push(line) })).rejects.toThrow(/^cannot fetch WN18RR: .*HTTP 404/);
      expect(lines[0]).toMatch(/^WN18RR is not on this machine .*: fetching it once$/);
      expect(lines[1]).toMatch(/^WN18RR: fetching 4 files into /);
      const loaded: string[] = [];
      await expect(loadDataset('WN18RR', { log: (line) => loaded.push(line) })).rejects.toThrow(/HTTP 404/);
      expect(loaded).toHaveLength(2);
      await expect(train({ dataset: 'WN18RR', out: path.join(tempDir('kgdistill-run-'), 'run') })).rejects.toThrow(/HTTP 404/); // no hook: silent
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });

  it('rejects an unknown name, a bad --timeout and a bad --url', async () => {
    await expect(runData(['data', 'fetch', 'YAGO3-10'])).rejects.toThrow('YAGO3-10: unknown dataset: kgdistill can fetch FB15k-237, WN18RR');
    await expect(runData(['data', 'fetch', 'YAGO3-10'])).rejects.toThrow(OptionsError); // a usage error (exit 2), as a bad --url
    await expect(runData(['data', 'fetch', 'WN18RR', '--timeout', '0'])).rejects.toThrow(
      "option '--timeout <seconds>' argument '0' is invalid. expected a positive number of seconds",
    );
    expect(parseSecondsOption('0.25')).toBe(0.25);
    await expect(runData(['data', 'fetch', 'WN18RR', '--url', 'mirror.example', '--dir', tempDir()])).rejects.toThrow(
      "--url: not a URL: 'mirror.example' (expected http://, https:// or file://)",
    );
    // the flag's value is the command line's error (exit 2, as --timeout's); $KGDISTILL_DATA_URL's stays input (exit 1)
    await expect(runData(['data', 'fetch', 'WN18RR', '--url', 'ftp://mirror.example', '--dir', tempDir()])).rejects.toThrow(OptionsError);
    await expect(runData(['data', 'fetch', 'WN18RR', '--url', 'ftp://mirror.example', '--dir', tempDir()])).rejects.toThrow("--url: unsupported URL scheme 'ftp:' (expected http, https or file)");
  });

  it('lists the datasets and every option with its default in --help', () => {
    const help = helpOf(registerDataCommands, ['data', 'fetch']).replace(/\s+/g, ' ');
    expect(help).toContain('FB15k-237 Freebase subset');
    expect(help).toContain('WN18RR WordNet subset');
    expect(help).toContain('--timeout <seconds>');
    expect(help).toContain('default: $KGDISTILL_FETCH_TIMEOUT, else 60');
    expect(help).toContain('default: $KGDISTILL_DATA_URL, else https://raw.githubusercontent.com');
    expect(help).toContain('default: the first $KGDISTILL_DATA entry, else <user cache>/datasets');
    expect(help).toContain('--force');
  });

  it('exits with code 1 and one stderr line naming dataset, URL and reason (real process)', async () => {
    const root = tempDir();
    // ../shared's copy hidden: a copy found by name is the answer without a download
    const env = { ...process.env, KGDISTILL_DATA: root, KGDISTILL_DATA_URL: server.url, KGDISTILL_NO_SHARED: '1' };
    const error = await cliProcessFailure(['data', 'fetch', 'WN18RR'], env);
    expect(error?.code).toBe(1);
    expect(error!.stdout).toBe('');
    expect(error!.stderr).toBe(
      `WN18RR: fetching 4 files into ${path.join(root, 'WN18RR')}\n` +
        `kgdistill: cannot fetch WN18RR: ${server.url}/TimDettmers/ConvE/${CONVE_COMMIT}/WN18RR.tar.gz: HTTP 404 Not Found\n`,
    );
    expect(fs.readdirSync(root)).toEqual([]);
  });
});

describeWithBenchmark('WN18RR', 'kgdistill data fetch WN18RR from a mirror of its sources', (dir) => {
  it('fetches, verifies and tells what it did; prints the directory; a second fetch downloads nothing', async () => {
    for (const [route, body] of await wn18rrMirror(dir)) server.routes.set(route, { body });
    const root = tempDir();
    const { out, err } = await runData(['data', 'fetch', 'wn18rr', '--url', server.url, '--dir', root]);
    const target = path.join(root, 'WN18RR');
    expect(out).toBe(`${target}\n`);
    expect(err).toContain(`WN18RR: fetching 4 files into ${target}\n  ${server.url}/TimDettmers/ConvE/${CONVE_COMMIT}/WN18RR.tar.gz  `);
    expect(err).toContain(
      `WN18RR: train.txt 3,135,377 bytes, valid.txt 110,415 bytes, test.txt 113,180 bytes, entity_names.tsv 981,113 bytes; ` +
        `4 checksums verified against ${path.join(REPO_ROOT, 'data', 'WN18RR', 'SHA256SUMS')}\nWN18RR: ready in ${target}\n`,
    );
    expect(fs.readdirSync(root)).toEqual(['WN18RR']);
    server.hits.length = 0;
    const again = JSON.parse((await runData(['data', 'fetch', 'WN18RR', '--url', server.url, '--dir', root, '--json'])).out) as { status: string; files: unknown[] };
    expect(again).toMatchObject({ status: 'present' });
    expect(again.files).toHaveLength(4);
    expect(server.hits).toEqual([]);
  });

  it('fetches a benchmark on first use of its name when it is nowhere on the machine, then finds it in the cache', async () => {
    for (const [route, body] of await wn18rrMirror(dir)) server.routes.set(route, { body });
    process.env.KGDISTILL_NO_SHARED = '1';
    process.env.KGDISTILL_DATA_URL = server.url;
    const cache = process.env.XDG_CACHE_HOME!;
    const first = await runData(['data', 'stats', 'WN18RR', '--json']);
    const result = JSON.parse(first.out.trimEnd().split('\n').at(-1)!) as { dir: string; dataset: string; stats: { counts: { entities: number } }; report: { manifest: { verified: boolean } } };
    expect(result.dataset).toBe('WN18RR');
    expect(result.dir).toBe(path.join(cache, 'kgdistill', 'datasets', 'WN18RR'));
    expect(result.stats.counts.entities).toBe(40_943);
    expect(result.report.manifest.verified).toBe(true);
    expect(first.err).toMatch(/^WN18RR is not on this machine \(\$KGDISTILL_DATA, data\/, \.\.\/shared\/data, the cache\): fetching it once\n/);
    server.hits.length = 0;
    const errors = vi.spyOn(process.stderr, 'write');
    try {
      expect((await loadDataset('wn18rr')).dir).toBe(result.dir);
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
    expect(server.hits).toEqual([]);
  }, 60_000);
});
