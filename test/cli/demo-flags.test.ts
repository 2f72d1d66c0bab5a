// `kgdistill demo --epochs` is checked as it is read: a bad value is refused before the demo does anything (it
// generated a graph in the temporary directory — without WN18RR at hand — announced the training, and only then failed).
import { describe, expect, it, vi } from 'vitest';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { registerDemoCommand } from '../../src/cli/commands/demo.js';
import { runCli } from '../helpers/run-cli.js';

const demoDirs = (): string[] => readdirSync(tmpdir()).filter((name) => name.startsWith('kgdistill-demo-'));

describe('demo --epochs', () => {
  it('refuses 0 and words before announcing or generating anything', async () => {
    const before = demoDirs();
    let said = '';
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      said += String(chunk);
      return true;
    });
    try {
      for (const value of ['0', 'abc', '-3']) {
        await expect(runCli([registerDemoCommand], ['demo', '--epochs', value])).rejects.toThrow(`option '--epochs <n>' argument '${value}' is invalid`);
      }
    } finally {
      stderr.mockRestore();
    }
    expect(said).not.toContain('$ kgdistill train'); // the demo's announcement of the run it starts
    expect(demoDirs()).toEqual(before);
  });
});
