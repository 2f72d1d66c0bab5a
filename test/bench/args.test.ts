// The benchmarks' command line: typed values and defaults, and a message naming the flag for each thing it refuses.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchArgsError, parseBenchArgs, type BenchFlag } from '../../bench/args.js';

const flags = {
  seeds: { type: 'integer', default: 3, min: 1 },
  'top-k': { type: 'integers', default: '1,5', min: 1 },
  rate: { type: 'number', default: 0.5, min: 0 },
  only: { type: 'string' },
  split: { type: 'string', default: 'test', choices: ['test', 'valid'] },
  models: { type: 'strings', default: 'DistMult,ComplEx', choices: ['DistMult', 'ComplEx', 'RotatE'] },
  list: { type: 'boolean' },
} satisfies Record<string, BenchFlag>;
const parse = (argv: string[], max = 0) => parseBenchArgs(argv, { flags, positionals: { usage: '<run dir>', max } });
const refusal = (argv: string[], max = 0): string => {
  try {
    parse(argv, max);
  } catch (error) {
    expect(error).toBeInstanceOf(BenchArgsError);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
};

describe('parseBenchArgs', () => {
  it('gives each flag its default when it is absent', () => {
    const { values, positionals } = parse([]);
    expect(values).toEqual({ seeds: 3, 'top-k': [1, 5], rate: 0.5, only: undefined, split: 'test', models: ['DistMult', 'ComplEx'], list: false });
    expect(positionals).toEqual([]);
  });

  it('reads what is given, as numbers, lists and booleans', () => {
    const { values, positionals } = parse(['run/a', '--seeds', '5', '--top-k', '8,32,128', '--rate=0.25', '--only', '^WN', '--split', 'valid',
      '--models', 'RotatE', '--list'], 1);
    expect(values).toEqual({ seeds: 5, 'top-k': [8, 32, 128], rate: 0.25, only: '^WN', split: 'valid', models: ['RotatE'], list: true });
    expect(positionals).toEqual(['run/a']);
  });

  it('refuses numbers that are not what the flag takes, naming the flag and the value', () => {
    expect(refusal(['--seeds', 'x'])).toBe("--seeds takes a whole number ≥ 1 (got 'x')");
    expect(refusal(['--seeds', '2.5'])).toBe("--seeds takes a whole number ≥ 1 (got '2.5')");
    expect(refusal(['--seeds', '0'])).toBe("--seeds takes a whole number ≥ 1 (got '0')");
    expect(refusal(['--seeds', ''])).toBe("--seeds takes a whole number ≥ 1 (got '')");
    expect(refusal(['--rate', 'NaN'])).toBe("--rate takes a number ≥ 0 (got 'NaN')");
    expect(refusal(['--top-k', '8,,32'])).toBe("--top-k takes comma-separated whole numbers ≥ 1 (got '8,,32')");
    expect(refusal(['--top-k', '8,0'])).toBe("--top-k takes comma-separated whole numbers ≥ 1 (got '8,0')");
    for (const written of ['0x10', '1e3', '+4', ' 7', '5.0']) expect(refusal(['--seeds', written])).toBe(`--seeds takes a whole number ≥ 1 (got '${written}')`);
    expect(refusal(['--rate', '0x2'])).toBe("--rate takes a number ≥ 0 (got '0x2')");
    expect(parse(['--rate', '2.5e-1']).values.rate).toBe(0.25);
    expect(refusal(['--top-k', ' 2,3'])).toBe("--top-k takes comma-separated whole numbers ≥ 1 (got ' 2,3')");
  });

  it('refuses a value outside the choices, and an empty list item', () => {
    expect(refusal(['--split', 'train'])).toBe("--split takes test, valid (got 'train')");
    expect(refusal(['--models', 'DistMult,TransE'])).toBe("--models takes DistMult, ComplEx, RotatE (got 'TransE')");
    expect(refusal(['--models', 'DistMult,'])).toBe("--models takes a comma-separated list without empty items (got 'DistMult,')");
  });

  it('refuses an unknown flag, a flag without its value and a value given to a switch', () => {
    expect(refusal(['--seed', '1'])).toBe('unknown flag --seed (it takes --seeds, --top-k, --rate, --only, --split, --models, --list, --help)');
    expect(refusal(['--only'])).toBe('--only needs a value');
    expect(refusal(['--only', '--list'])).toBe("--only needs a value (a value that starts with '-' is written --only=<value>)");
    expect(refusal(['--rate=-1'])).toBe("--rate takes a number ≥ 0 (got '-1')");
    expect(refusal(['--list=yes'])).toBe('--list takes no value');
  });

  it('gives an empty list for a list flag whose default is empty', () => {
    const spec = { flags: { runs: { type: 'strings', default: '' } } } as const;
    expect(parseBenchArgs([], spec).values.runs).toEqual([]);
    expect(parseBenchArgs(['--runs', 'a,b'], spec).values.runs).toEqual(['a', 'b']);
    expect(parseBenchArgs([], { flags: { name: { type: 'string', default: '' } } }).values.name).toBe('');
    expect(() => parseBenchArgs([], { flags: { k: { type: 'integers', default: '0', min: 1 } } })).toThrow("--k takes comma-separated whole numbers ≥ 1 (got '0', the benchmark's default)");
  });

  it('checks words without a flag that must be whole numbers', () => {
    const spec = { flags: {}, positionals: { usage: '[queries] [entities]', max: 2, min: 1 } };
    expect(parseBenchArgs(['20', '5'], spec).positionals).toEqual(['20', '5']);
    expect(() => parseBenchArgs(['20', '0'], spec)).toThrow("takes [queries] [entities], whole numbers ≥ 1 (got '0')");
    expect(() => parseBenchArgs(['2e3'], spec)).toThrow("(got '2e3')");
  });

  it('refuses words without a flag beyond those the benchmark takes', () => {
    expect(refusal(['stray'])).toBe("takes no word without a flag (got 'stray')");
    expect(refusal(['run/a', 'run/b'], 1)).toBe("takes <run dir> (got the extra word 'run/b')");
  });
});

describe('a benchmark that fails after its command line was taken (real process)', () => {
  const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const run = (bench: string, args: string[]) => spawnSync(tsx, [path.join(REPO_ROOT, 'bench', `${bench}.ts`), ...args], { cwd: tmpdir(), encoding: 'utf8' });

  it('ends with one line naming the bench and the problem, exit 1 (a missing run directory printed a stack trace)', () => {
    const result = run('teacher-ensemble', ['--teachers', '/nonexistent/run']);
    expect([result.status, result.stderr]).toEqual([1, 'bench:teacher-ensemble: /nonexistent/run: no such directory (a run directory written by `kgdistill train` or `distill`)\n']);
  }, 60_000);

  it('a service bench without its run, and lookup without any run, exit 2 saying how to get one (a stack trace; lookup measured nothing, exit 0)', () => {
    const service = run('service', []);
    expect(service.status).toBe(2);
    expect(service.stderr).toMatch(/^bench:service: --run runs\/wn18rr-roth-d32-service does not exist: train it first \(e\.g\. kgdistill train --dataset WN18RR --model RotH .* --out runs\/wn18rr-roth-d32-service\), or pass --run <run dir>\n$/);
    const lookup = run('lookup', ['--skip-load']);
    expect(lookup.status).toBe(2);
    expect(lookup.stderr).toMatch(/^bench:lookup: no run to measure: none of the default runs/);
  }, 60_000);
});
