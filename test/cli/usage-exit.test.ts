// The command line's exit codes (0 done, 2 a usage error, 1 a failure of the work) and the one rule for a flag whose
// value is missing: `--out --json` does not take `--json` as the directory (it did, exit 0, a directory `--json`).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { refuseFlagAsValue } from '../../src/cli/usage.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const main = path.join(root, 'src', 'cli', 'main.ts');
/** `kgdistill <args>` as a real process in `cwd`. */
const cli = (cwd: string, ...args: string[]) => spawnSync(tsx, [main, ...args], { cwd, encoding: 'utf8', env: { ...process.env, KGDISTILL_THREADS: '1' } });

describe('a flag missing its value (real process)', () => {
  it('is refused naming the flag, exit 2, nothing written, in train, export and data generate', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'kgdistill-usage-'));
    const graph = await writeSyntheticDataset(path.join(cwd, 'g'), { entities: 40, seed: 1 });
    const cases: [string[], string][] = [
      [['train', '--dataset', graph, '--epochs', '1', '--dim', '4', '--out', '--json'], 'kgdistill: --out needs a value, got the flag --json (a value that starts with -- is written --out=--json)'],
      [['export', '--checkpoint', path.join(cwd, 'nope'), '--out', '--json'], 'kgdistill: --out needs a value, got the flag --json'],
      [['data', 'generate', '--out', '--seed'], 'kgdistill: --out needs a value, got the flag --seed'],
      [['train', '--dataset', graph, '--out', '--jsn'], "kgdistill: --out needs a value, got '--jsn', which reads as a flag (a path that starts with -- is written ./--jsn or --out=--jsn)"],
    ];
    for (const [args, message] of cases) {
      const run = cli(cwd, ...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toContain(message);
      expect(run.stdout, args.join(' ')).toBe('');
    }
    expect(readdirSync(cwd)).toEqual(['g']); // no directory named after a flag, no runs/
  }, 120_000);
});

describe('exit codes (real process)', () => {
  it('2 for a usage error (commander or the options schema), 1 for a failure of the work, 0 for --help', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'kgdistill-exit-'));
    const cases: [string[], number, RegExp][] = [
      [['train', '--datset', 'g'], 2, /^error: unknown option '--datset'/],
      [['eval'], 2, /^error: required option '--checkpoint <run dir>' not specified/],
      [['train', '--dataset', 'g', '--dim', 'abc', '--out', 'x'], 2, /^kgdistill: --dim must be a positive integer \(got "abc"\)$/m],
      [['train', '--dataset', 'g', '--lr', '-1', '--out', 'x'], 2, /^kgdistill: --lr must be a positive number \(got -1\)$/m], // a negative number reaches its own check
      [['eval', '--checkpoint', 'x', '--eval-seed', '1.5'], 2, /^kgdistill: --eval-seed must be an integer from/m],
      [['eval', '--checkpoint', path.join(cwd, 'nope')], 1, /^kgdistill: /],
      [['train', '--dataset', path.join(cwd, 'nosuch'), '--out', path.join(cwd, 'x')], 1, /^kgdistill: /],
      [['train', '--help'], 0, /^$/],
      [[], 2, /^Usage: kgdistill/],
    ];
    for (const [args, code, stderr] of cases) {
      const run = cli(cwd, ...args);
      expect(run.status, args.join(' ')).toBe(code);
      expect(run.stderr, args.join(' ')).toMatch(stderr);
    }
    expect(existsSync(path.join(cwd, 'x'))).toBe(false);
  }, 120_000);
});

describe('refuseFlagAsValue (the preAction hook)', () => {
  /** A program with the hook and one command `cmd`; resolves with the options its action saw. */
  async function parse(args: string[]): Promise<Record<string, unknown>> {
    let seen: Record<string, unknown> = {};
    const program = new Command('kgdistill').exitOverride();
    program.command('cmd').option('--out <dir>').option('--lr <rate>').option('--head <id|name>').option('--param <kv>', '', (v: string, p: string[] = []) => [...p, v]).option('--json')
      .action((flags: Record<string, unknown>) => { seen = flags; });
    program.hook('preAction', refuseFlagAsValue);
    await program.parseAsync(args, { from: 'user' });
    return seen;
  }

  it('lets negative numbers, single-dash values, entity names and --flag=--value through', async () => {
    expect(await parse(['cmd', '--lr', '-1', '--out', '-x', '--head', '--weird-entity'])).toEqual({ lr: '-1', out: '-x', head: '--weird-entity' });
    expect(await parse(['cmd', '--out=--json'])).toEqual({ out: '--json' });
  });

  it("refuses a flag of the command taken as any option's value, and one of repeated values", async () => {
    await expect(parse(['cmd', '--head', '--json'])).rejects.toThrow('--head needs a value, got the flag --json (a value that starts with -- is written --head=--json)');
    await expect(parse(['cmd', '--param', 'a=1', '--param', '--out=x'])).rejects.toThrow('--param needs a value, got the flag --out');
    await expect(parse(['cmd', '--out', '--help'])).rejects.toThrow('--out needs a value, got the flag --help');
  });
});
