// `kgdistill data generate`: the ceiling on --entities (message, exit code, nothing written), the other checks of
// its flags, and the same files as the earlier generator.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { registerDataCommands } from '../../src/cli/commands/data.js';
import { runCli } from '../helpers/run-cli.js';
import { tempDir } from '../kg/helpers.js';

const REPO_ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const cli = (args: string[]): Promise<string> => runCli([registerDataCommands], args);

const CEILING_MESSAGE = "--entities must be at most 10,000,000 (got '100000000'): the generated graph has ~5 triples per entity, shuffled " +
  'in memory at 4 bytes each, and ~121 bytes of text per entity (0.2 GB of memory for the shuffle and ~1.2 GB of files at the limit); ' +
  '100000000 entities would need 2.0 GB for the shuffle and ~13.0 GB of files (nothing was written)';

describe('kgdistill data generate', () => {
  it('refuses --entities above the ceiling, saying why, and creates nothing', async () => {
    const dir = tempDir();
    await expect(cli(['data', 'generate', '--out', path.join(dir, 'big'), '--entities', '100000000'])).rejects.toThrow(CEILING_MESSAGE);
    await expect(cli(['data', 'generate', '--out', path.join(dir, 'big'), '--entities', '10000001'])).rejects.toThrow(/^--entities must be at most 10,000,000 \(got '10000001'\)/);
    await expect(cli(['data', 'generate', '--out', path.join(dir, 'big'), '--entities', '1'.padEnd(40, '0')])).rejects.toThrow(/1\.2 GB of files at the limit\) \(nothing was written\)$/);
    await expect(cli(['data', 'generate', '--out', path.join(dir, 'big'), '--entities', '3'])).rejects.toThrow("--entities must be an integer ≥ 4 (got '3')");
    await expect(cli(['data', 'generate', '--out', path.join(dir, 'big'), '--entities', '2.5'])).rejects.toThrow("--entities must be an integer ≥ 4 (got '2.5')");
    for (const huge of ['1e16', '1e20', '+100000000000000000000']) await expect(cli(['data', 'generate', '--out', path.join(dir, 'big'), '--entities', huge])).rejects.toThrow(`--entities must be at most 10,000,000 (got '${huge}')`);
    // exponent notation reads as in train (`--epochs 1e3`): 1e8 is 100,000,000, above the ceiling
    await expect(cli(['data', 'generate', '--out', path.join(dir, 'big'), '--entities', '1e8'])).rejects.toThrow(/^--entities must be at most 10,000,000 \(got '1e8'\): .* 100000000 entities would need 2\.0 GB/);
    await expect(cli(['data', 'generate', '--out', path.join(dir, 'big'), '--seed', 'x'])).rejects.toThrow("--seed must be an integer from -9007199254740991 to 9007199254740991 (got 'x')");
    expect(readdirSync(dir)).toEqual([]);
  });

  it('exits with code 2 (a usage error) and the message on stderr at the ceiling (real process)', async () => {
    const dir = tempDir();
    const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
    const error = await promisify(execFile)(tsx, [path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'data', 'generate', '--out', path.join(dir, 'big'), '--entities', '100000000'], { cwd: REPO_ROOT }).then(
      () => undefined,
      (e: { code: number; stderr: string; stdout: string }) => e,
    );
    expect(error).toBeDefined();
    expect(error!.code).toBe(2);
    expect(error!.stderr).toBe(`kgdistill: ${CEILING_MESSAGE}\n`);
    expect(error!.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('writes the files of the earlier generator into an empty --out, and nothing beside it', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'g');
    mkdirSync(out);
    expect((await cli(['data', 'generate', '--out', out, '--entities', '400', '--seed', '3'])).trim()).toBe(out);
    const hash = (name: string): string => createHash('sha256').update(readFileSync(path.join(out, name))).digest('hex');
    expect(hash('train.txt')).toBe('914d69ee64c11b4b19ef87494e93f7461834f0af0117a03a65f0175229eafc9b');
    expect(hash('valid.txt')).toBe('4d9fb856b33bd43337d0e41eeb438d6632772179c44c87d0e8a48f1c5417b9be');
    expect(hash('test.txt')).toBe('dd090b141a1e96d80c2fd54dace3f5d1502854f9ac167e64147183aeffc6fcb3');
    expect(readdirSync(dir)).toEqual(['g']);
    await expect(cli(['data', 'generate', '--out', out])).rejects.toThrow(/exists and is not empty/);
    expect(readdirSync(out).sort()).toEqual(['test.txt', 'train.txt', 'valid.txt']);
    const file = path.join(out, 'train.txt'); // --out naming a file: refused before anything is generated
    for (const command of [['data', 'generate', '--out', file], ['data', 'split', file, '--out', file]]) {
      await expect(cli(command)).rejects.toThrow(`--out ${file}: is a file; give a new directory (nothing was written)`);
    }
    expect(hash('train.txt')).toBe('914d69ee64c11b4b19ef87494e93f7461834f0af0117a03a65f0175229eafc9b');
  });
});
