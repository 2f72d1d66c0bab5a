// A usage mistake (a missing required flag, a choice not offered) is two lines: what is wrong, and where the options
// are — not the mistake followed by the whole help (155 lines for train), which scrolled it off the screen.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), ...args], { cwd: root, encoding: 'utf8' });

describe('usage errors', () => {
  it('name the flag, point to --help, exit 2 (a usage error; a failure of the work exits 1)', () => {
    for (const [args, first] of [
      [['eval'], "error: required option '--checkpoint <run dir>' not specified"],
      [['train', '--dataset', 'x', '--optimizer', 'foo'], "error: option '--optimizer <name>' argument 'foo' is invalid. Allowed choices are adagrad, adam, sparse-adam, sgd."],
    ] as const) {
      const run = cli(...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([first, "(add --help for the command's options)"]);
    }
  });

  it('the help of train, distill and eval names the environment variables a run reads', () => {
    for (const command of ['train', 'distill', 'eval']) {
      const help = cli(command, '--help').stdout;
      expect(help, command).toMatch(/\nEnvironment:\n  KGDISTILL_THREADS=1 .*\n[\s\S]*KGDISTILL_KERNELS=portable\|fma[\s\S]*KGDISTILL_DATA=<dir>/);
    }
  });
});
