// `kgdistill demo --epochs` is checked as it is read: a bad value is refused before the demo does anything (it
// generated a graph — without WN18RR at hand — announced the training, and only then failed); where the demo writes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { registerDemoCommand } from '../../src/cli/commands/demo.js';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { runCli, runCliCapturing } from '../helpers/run-cli.js';

afterEach(() => vi.unstubAllEnvs());

describe('demo --epochs', () => {
  it('refuses 0 and words before announcing or generating anything', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-demotest-')), 'run');
    vi.stubEnv('KGDISTILL_NO_SHARED', '1'); // the case that generates a graph
    let said = '';
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      said += String(chunk);
      return true;
    });
    try {
      for (const value of ['0', 'abc', '-3']) {
        await expect(runCli([registerDemoCommand], ['demo', '--epochs', value, '--out', out])).rejects.toThrow(`option '--epochs <n>' argument '${value}' is invalid`);
      }
    } finally {
      stderr.mockRestore();
    }
    expect(said).not.toContain('$ kgdistill train'); // the demo's announcement of the run it starts
    expect(existsSync(out) || existsSync(`${out}-graph`)).toBe(false);
  });
});

describe('demo without WN18RR (a fresh clone\'s view)', () => {
  it('keeps its generated graph beside the run (<out>-graph), which the run names, and says what to try next', async () => {
    vi.stubEnv('KGDISTILL_NO_SHARED', '1');
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-demotest-')), 'my run'); // a space: quoted where shown
    const { err } = await runCliCapturing([registerDemoCommand, registerTrainCommand], ['demo', '--epochs', '1', '--out', `${out}/`]); // a trailing slash too
    expect(err).toContain(`training ComplEx for 1 epoch on a small graph generated in code, kept in ${out}-graph`);
    expect(err).toContain('kgdistill data fetch WN18RR');
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')).options.dataset).toBe(`${out}-graph`);
    expect(existsSync(path.join(`${out}-graph`, 'train.txt'))).toBe(true);
    const firstLine = readFileSync(path.join(`${out}-graph`, 'train.txt'), 'utf8').split('\n')[0]!.split('\t');
    expect(err).toContain(`--out '${out}'\n`); // the command it runs, as a shell takes it
    expect(err).toContain(`next:\n  kgdistill eval --checkpoint '${out}'   #`);
    expect(err).toContain(`kgdistill predict --checkpoint '${out}' --head ${firstLine[0]} --relation ${firstLine[1]}   #`);
    expect(err).toContain(`kgdistill serve --checkpoint '${out}'   #`);
    expect(err).not.toContain('the full recipe'); // that line is WN18RR's
  }, 60_000);

  it('a run directory whose parent cannot be made is refused before anything is generated, naming the directory and --out', async () => {
    vi.stubEnv('KGDISTILL_NO_SHARED', '1');
    const base = mkdtempSync(path.join(tmpdir(), 'kgdistill-demotest-'));
    writeFileSync(path.join(base, 'a-file'), 'x');
    const out = path.join(base, 'a-file', 'runs', 'demo');
    await expect(runCli([registerDemoCommand, registerTrainCommand], ['demo', '--out', out])).rejects.toThrow(
      `${path.join(base, 'a-file', 'runs')}: cannot create the directory for the demo's run: a part of this path is a file where a directory is needed (ENOTDIR); run the demo from a writable directory or give --out <dir>`);
    expect(readdirSync(base)).toEqual(['a-file']);
  });
});
