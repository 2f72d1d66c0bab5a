// Size and timeout limits of a dataset fetch (review findings F1, F2, F3, F5): a download larger than the limit
// is refused from its Content-Length or stopped once that many bytes arrived; an archive member over the limit,
// or an archive that inflates past its limit (a gzip bomb in an ignored member), is refused with a message naming
// the URL; any other failure while building the files names the URLs; a timeout longer than a Node timer holds
// is refused, naming the flag or variable. All from servers on 127.0.0.1.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import path from 'node:path';
import { fetchDataset, DatasetFetchError, type FetchOptions } from '../../src/kg/fetch-dataset.js';
import { downloadBytes, DownloadError } from '../../src/kg/http-download.js';
import { MAX_DOWNLOAD_BYTES, MAX_TIMEOUT_SECONDS } from '../../src/kg/fetch-limits.js';
import { KgInputError } from '../../src/kg/errors.js';
import { parseSecondsOption } from '../../src/cli/commands/data.js';
import { tempDir } from './helpers.js';
import { REMOTE } from './fetch-fixtures.js';
import { answering, startRawServer, tinyFetchSetup, tinyRecipe, tinySources, TINY_SPLITS, type Answer, type RawServer } from './fetch-tiny.js';

const MiB = 1024 * 1024;

/** What the server sends for each path: bytes, or a function that answers itself. */
let answers = new Map<string, Answer>();
let server: RawServer;
let root: string;
let options: () => FetchOptions;

/** The error a fetch of the tiny dataset fails with. */
async function failure(fetchOptions: FetchOptions = options()): Promise<Error> {
  return fetchDataset('tiny', fetchOptions).then(() => new Error('expected the fetch to fail'), (e: unknown) => e as Error);
}

beforeEach(async () => {
  server ??= await startRawServer(answering(() => answers));
  answers = new Map(await tinySources());
  ({ root, options } = tinyFetchSetup(server));
});

describe('download size limit (F1)', () => {
  it('is far above the real downloads (4.1 MB at most)', () => {
    expect(MAX_DOWNLOAD_BYTES).toBe(256 * MiB);
  });

  it('refuses a Content-Length over the limit up front, naming the URL and the limit', async () => {
    answers.set(REMOTE.wnArchive, (response) => {
      response.writeHead(200, { 'content-length': String(50 * 1024 ** 3) });
      response.write(Buffer.alloc(1024)); // and then nothing: only the header can tell
    });
    const error = await failure();
    expect(error).toBeInstanceOf(DatasetFetchError);
    expect(error.message).toBe(
      `cannot fetch tiny: ${server.url}/${REMOTE.wnArchive}: larger than the limit of 268,435,456 bytes (256 MiB) per file (Content-Length is 53,687,091,200 bytes; not the expected file?)`,
    );
    expect(error.message).not.toContain('without network');
  });

  it('stops a body without Content-Length once it passes the limit', async () => {
    answers.set(REMOTE.wnArchive, (response) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked
      const chunk = Buffer.alloc(256 * 1024);
      let sent = 0;
      const pump = (): void => {
        while (sent < 64 * MiB && response.write(chunk)) sent += chunk.length;
        if (sent >= 64 * MiB) response.end();
        else response.once('drain', () => { sent += chunk.length; pump(); });
      };
      response.on('close', () => { sent = Infinity; });
      pump();
    });
    const error = await failure({ ...options(), limits: { downloadBytes: 2 * MiB } });
    expect(error).toBeInstanceOf(DatasetFetchError);
    expect(error.message).toMatch(new RegExp(`^cannot fetch tiny: ${server.url}/${REMOTE.wnArchive}: larger than the limit of 2,097,152 bytes \\(2 MiB\\) per file \\(stopped after [\\d,]+ bytes; not the expected file\\?\\)$`));
  });

  it('applies to downloadBytes and to file: URLs too', async () => {
    answers.set('big', Buffer.alloc(3000));
    await expect(downloadBytes(`${server.url}/big`, { timeoutMs: 5_000, maxBytes: 2000 })).rejects.toThrow(/larger than the limit of 2,000 bytes per file \(Content-Length is 3,000 bytes/);
    const file = path.join(tempDir(), 'big.bin');
    (await import('node:fs')).writeFileSync(file, Buffer.alloc(3000));
    const error = await downloadBytes(`file://${file}`, { timeoutMs: 5_000, maxBytes: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect((error as DownloadError).reason).toBe('larger than the limit of 2,000 bytes per file (3,000 bytes; not the expected file?)');
  });
});

describe('archive limits (F2, F3)', () => {
  it('refuses an archive whose ignored member inflates past the limit (a gzip bomb), naming the archive URL', async () => {
    answers = new Map(await tinySources({ junk: Buffer.alloc(24 * MiB), ...TINY_SPLITS }));
    const error = await failure({ ...options(), limits: { inflatedBytes: 8 * MiB } });
    expect(error).toBeInstanceOf(DatasetFetchError);
    expect(error.message).toBe(
      `cannot fetch tiny: ${server.url}/${REMOTE.wnArchive}: inflates to more than the limit of 8,388,608 bytes (8 MiB) (not the expected archive, or a decompression bomb?)`,
    );
  });

  it('passes over an ignored member within the limit and builds the dataset', async () => {
    answers = new Map(await tinySources({ junk: Buffer.alloc(4 * MiB), ...TINY_SPLITS }));
    await expect(fetchDataset('tiny', { ...options(), limits: { inflatedBytes: 8 * MiB } })).resolves.toMatchObject({ status: 'fetched' });
  });

  it('refuses a wanted member over the limit before inflating it, naming the URL and the member', async () => {
    answers = new Map(await tinySources({ ...TINY_SPLITS, 'train.txt': Buffer.alloc(6 * MiB) }));
    const error = await failure({ ...options(), limits: { entryBytes: 4 * MiB } });
    expect(error).toBeInstanceOf(DatasetFetchError);
    expect(error.message).toBe(
      `cannot fetch tiny: ${server.url}/${REMOTE.wnArchive}: train.txt is 6,291,456 bytes unpacked, more than the limit of 4,194,304 bytes (4 MiB) per file (not the expected archive?)`,
    );
  });

  it('any other failure while building the files (a string too long for Node) names the URLs', async () => {
    const recipe = { ...tinyRecipe(), assemble: () => Promise.reject(new RangeError('Cannot create a string longer than 0x1fffffe8 characters')) };
    const error = await failure({ ...options(), recipe });
    expect(error).toBeInstanceOf(DatasetFetchError);
    expect(error.message).toContain(`cannot fetch tiny: ${server.url}/${REMOTE.wnArchive}, `);
    expect(error.message).toContain(": cannot build the dataset's files (Cannot create a string longer than 0x1fffffe8 characters)");
  });
});

describe('timeout limit (F5)', () => {
  const saved = process.env.KGDISTILL_FETCH_TIMEOUT;
  afterEach(() => {
    if (saved === undefined) delete process.env.KGDISTILL_FETCH_TIMEOUT;
    else process.env.KGDISTILL_FETCH_TIMEOUT = saved;
  });

  it('refuses --timeout over 2,147,483 s, naming the flag, and accepts the largest', async () => {
    expect(MAX_TIMEOUT_SECONDS).toBe(2_147_483);
    expect(parseSecondsOption('2147483')).toBe(2_147_483);
    expect(() => parseSecondsOption('3000000')).toThrow('expected at most 2,147,483 seconds');
    const error = await failure({ ...options(), timeoutMs: 3_000_000_000, timeoutSetting: '--timeout' });
    expect(error).toBeInstanceOf(KgInputError);
    expect(error.message).toMatch(/^--timeout: expected a positive timeout of at most 2,147,483 seconds/);
  });

  it('refuses KGDISTILL_FETCH_TIMEOUT over the limit, naming the variable', async () => {
    process.env.KGDISTILL_FETCH_TIMEOUT = '1e12';
    const { timeoutMs: _unused, ...rest } = options();
    const error = await failure(rest);
    expect(error).toBeInstanceOf(KgInputError);
    expect(error.message).toMatch(/^KGDISTILL_FETCH_TIMEOUT: expected at most 2,147,483 seconds .*got '1e12'$/);
  });

  it('a long timeout still downloads (no timer overflow firing at once)', async () => {
    await expect(fetchDataset('tiny', { ...options(), timeoutMs: MAX_TIMEOUT_SECONDS * 1000 })).resolves.toMatchObject({ status: 'fetched' });
  });
});
