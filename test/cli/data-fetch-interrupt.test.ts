// `kgdistill data fetch` as a real process (no tsx wrapper process between the signal and the command): Ctrl-C
// during a download exits 130 at once with one line and keeps nothing; a --dir below /proc fails at once naming
// the directory (Node's recursive mkdir never returned there). Against a server on 127.0.0.1.
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { CONVE_COMMIT } from '../../src/kg/dataset-recipes.js';
import { tempDir } from '../kg/helpers.js';
import { startRawServer } from '../kg/fetch-fixtures.js';

const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const ARCHIVE = `/TimDettmers/ConvE/${CONVE_COMMIT}/WN18RR.tar.gz`;

/** Starts `kgdistill <args>` from the TypeScript source in one node process; resolves with its code, stderr and stdout. */
function kgdistill(args: string[], env: NodeJS.ProcessEnv, onStart?: (pid: number) => void): Promise<{ code: number | null; signal: string | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  onStart?.(child.pid!);
  const guard = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) => child.on('close', (code, signal) => {
    clearTimeout(guard);
    resolve({ code, signal, stderr, stdout });
  }));
}

/** A server whose WN18RR archive never ends (200 KiB/s, for minutes); `started` resolves when it is requested. */
async function endlessArchiveServer(): Promise<{ server: Awaited<ReturnType<typeof startRawServer>>; started: Promise<void> }> {
  let requested: () => void = () => undefined;
  const started = new Promise<void>((resolve) => { requested = resolve; });
  const server = await startRawServer((request, response) => {
    if (request.url !== ARCHIVE) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-length': '100000000' });
    requested();
    const timer = setInterval(() => response.write(Buffer.alloc(4096)), 20);
    response.on('close', () => clearInterval(timer));
  });
  return { server, started };
}

/**
 * Runs `kgdistill <args(url)>` with `env(url)` against {@link endlessArchiveServer}'s URL, sends SIGINT 300 ms into the
 * download, and resolves with what the process did and how long it took to exit after the signal.
 */
async function interruptedDownload(args: (url: string) => string[], env: (url: string) => NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; stdout: string; exitMs: number }> {
  const { server, started } = await endlessArchiveServer();
  let pid = 0;
  const running = kgdistill(args(server.url), env(server.url), (p) => { pid = p; });
  await started;
  await new Promise((resolve) => setTimeout(resolve, 300));
  const at = Date.now();
  process.kill(pid, 'SIGINT');
  const { code, stderr, stdout } = await running;
  return { code, stderr, stdout, exitMs: Date.now() - at };
}

describe('kgdistill data fetch as a process', () => {
  it('Ctrl-C stops a download at once: exit 130, one line, nothing kept', async () => {
    const root = path.join(tempDir(), 'cache');
    const { code, stderr, stdout, exitMs } = await interruptedDownload((url) => ['data', 'fetch', 'WN18RR', '--url', url, '--dir', root], () => ({}));
    expect(exitMs).toBeLessThan(5_000);
    expect(code).toBe(130);
    expect(stdout).toBe('');
    expect(stderr).toBe(`WN18RR: fetching 4 files into ${path.join(root, 'WN18RR')}\nkgdistill: cannot fetch WN18RR: ${root}: interrupted (SIGINT): the download was stopped and nothing of it was kept\n`);
    expect(fs.existsSync(root)).toBe(false);
  }, 60_000);

  it("Ctrl-C during train's automatic fetch stops the download: exit 130, nothing trained or kept", async () => {
    const home = tempDir();
    const out = path.join(home, 'run');
    const env = (url: string): NodeJS.ProcessEnv => ({ KGDISTILL_DATA: path.join(home, 'none'), KGDISTILL_NO_SHARED: '1', KGDISTILL_DATA_URL: url, XDG_CACHE_HOME: path.join(home, 'cache') });
    const { code, stderr, stdout, exitMs } = await interruptedDownload(() => ['train', '--dataset', 'WN18RR', '--epochs', '1', '--out', out], env);
    expect(exitMs).toBeLessThan(5_000);
    expect(code).toBe(130);
    expect(stdout).toBe('');
    const root = path.join(home, 'none'); // a fetch goes into $KGDISTILL_DATA when it is set
    expect(stderr.trim().split('\n').at(-1)).toBe(`kgdistill: cannot fetch WN18RR: ${root}: interrupted (SIGINT): the download was stopped and nothing of it was kept`);
    expect(fs.existsSync(root)).toBe(false);
    expect(fs.existsSync(out)).toBe(false);
  }, 60_000);

  it.runIf(process.platform === 'linux' && fs.existsSync('/proc/self'))('--dir below /proc fails at once naming the directory', async () => {
    const at = Date.now();
    const { code, stderr } = await kgdistill(['data', 'fetch', 'WN18RR', '--url', 'http://127.0.0.1:9', '--dir', '/proc/kgdistill-test/x'], {});
    expect(Date.now() - at).toBeLessThan(25_000);
    expect(code).toBe(1);
    expect(stderr).toBe('kgdistill: cannot fetch WN18RR: /proc/kgdistill-test/x: cannot create /proc/kgdistill-test: /proc accepts no new files or directories (a special file system such as /proc or /sys?); choose another directory\n');
  }, 60_000);
});
