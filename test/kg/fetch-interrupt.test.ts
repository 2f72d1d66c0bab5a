// A fetch stopped by its AbortSignal (Ctrl-C) and a server that drips bytes (the minimum rate), against a server on
// 127.0.0.1 whose body never ends: both end promptly, keep nothing and say why.
import { describe, it, expect, beforeEach } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { fetchDataset, DatasetFetchError, FetchInterruptedError, type FetchOptions } from '../../src/kg/fetch-dataset.js';
import { REMOTE } from './fetch-fixtures.js';
import { answering, startRawServer, tinyFetchSetup, tinySources, type Answer, type RawServer } from './fetch-tiny.js';

let answers = new Map<string, Answer>();
let server: RawServer;
let root: string;
let options: () => FetchOptions;
let requested: () => void = () => undefined;

/** An answer whose body never ends: `bytes` bytes every `everyMs` ms, of a Content-Length of 1,000,000. */
const endless = (bytes: number, everyMs: number): Answer => (response) => {
  response.writeHead(200, { 'content-length': '1000000' });
  requested();
  const timer = setInterval(() => response.write(Buffer.alloc(bytes, 0x61)), everyMs);
  response.on('close', () => clearInterval(timer));
};

beforeEach(async () => {
  server ??= await startRawServer(answering(() => answers));
  answers = new Map(await tinySources());
  ({ root, options } = tinyFetchSetup(server));
});

describe('Ctrl-C during a download (an AbortSignal)', () => {
  it('stops the transfer at once and keeps nothing', async () => {
    answers.set(REMOTE.wnArchive, endless(1024, 20)); // 50 KiB/s: neither the idle timeout nor the minimum rate stops it
    const controller = new AbortController();
    const started = new Promise<void>((resolve) => { requested = resolve; });
    const fetching = fetchDataset('tiny', { ...options(), signal: controller.signal }).catch((e: unknown) => e);
    await started;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const at = Date.now();
    controller.abort('SIGINT');
    const error = await fetching;
    expect(Date.now() - at).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(FetchInterruptedError);
    expect((error as Error).message).toBe(`cannot fetch tiny: ${root}: interrupted (SIGINT): the download was stopped and nothing of it was kept`);
    expect(fs.existsSync(root)).toBe(false); // the directory it made is gone with the temporary files in it
  }, 10_000);

  it('an already aborted signal downloads nothing and leaves a directory that existed as it was', async () => {
    fs.mkdirSync(root);
    const error = await fetchDataset('tiny', { ...options(), signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FetchInterruptedError);
    expect((error as Error).message).toBe(`cannot fetch tiny: ${root}: interrupted (aborted): the download was stopped and nothing of it was kept`);
    expect(fs.readdirSync(root)).toEqual([]);
  });
});

describe('a server that drips bytes (the minimum rate)', () => {
  it('fails once a window of the idle timeout brings less than the minimum, keeping nothing', async () => {
    answers.set(REMOTE.wnArchive, endless(1, 50)); // 20 bytes/s: every chunk well inside the idle timeout
    const at = Date.now();
    const error = await fetchDataset('tiny', { ...options(), timeoutMs: 500, minBytesPerSecond: 1024, minRateSetting: '--min-rate' }).catch((e: unknown) => e);
    expect(Date.now() - at).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(DatasetFetchError);
    expect((error as DatasetFetchError).source).toBe(`${server.url}/${REMOTE.wnArchive}`);
    expect((error as DatasetFetchError).reason).toMatch(
      /^too slow: \d+ bytes in 0\.[5-9] s after \d+ of 1,000,000 bytes, under the minimum of 1,024 bytes\/s \(a stalled or throttled server; --min-rate sets the minimum, 0 turns it off\)$/,
    );
    expect(fs.existsSync(root)).toBe(false);
  }, 10_000);

  it('a negative minimum is refused naming its setting', async () => {
    await expect(fetchDataset('tiny', { ...options(), minBytesPerSecond: -1, minRateSetting: '--min-rate' })).rejects.toThrow('--min-rate: expected a number of bytes per second, 0 or more (got -1)');
  });
});

describe('a directory that accepts no new entries (/proc)', () => {
  it.runIf(process.platform === 'linux' && fs.existsSync('/proc/self'))('--dir /proc fails at once naming it, instead of "no such file or directory"', async () => {
    const error = await fetchDataset('tiny', { ...options(), root: '/proc' }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('cannot fetch tiny: /proc: cannot write into the cache directory: it accepts no new files or directories (a special file system such as /proc or /sys?); choose another directory');
  });
});
