// Options that contradict each other (`--one-to-n --loss margin`), refused when a run starts, are usage errors: the
// command line exits 2 with the refusal's words (it exited 1, as a failure of the work, though the fix is the command
// line), and the library throws the exported OptionsError naming the keys. A failure of the work still exits 1.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OptionsError, train } from '../../src/index.js';
import { exitOf, USAGE_EXIT_CODE } from '../../src/cli/usage.js';
import { conflictingOptions } from '../../src/pipeline/options-error.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const main = path.join(root, 'src', 'cli', 'main.ts');
/** `kgdistill <args>` as a real process in `cwd`. */
const cli = (cwd: string, ...args: string[]) => spawnSync(tsx, [main, ...args], { cwd, encoding: 'utf8', env: { ...process.env, KGDISTILL_THREADS: '1' } });

describe('options that contradict each other (real process)', () => {
  it('exit 2 with the refusal as the one line on stderr, nothing written', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'kgdistill-conflict-'));
    writeFileSync(path.join(cwd, 'c.json'), '{\n  "dataset": "g",\n  "oneToN": true,\n  "loss": "margin"\n}\n');
    const cases: [string[], string][] = [
      [['--one-to-n', '--loss', 'margin'], '--loss margin ranks each gold answer against sampled negatives: with --one-to-n (every entity scored) choose --loss auto (softmax) or bce'],
      [['--loss', 'softmax'], '--loss softmax is the cross-entropy over all entities of 1-N training: add --one-to-n, or choose auto, bce, nssa or margin for sampled negatives'],
      [['--one-to-n', '--margin', '3'], '--margin sets the margin of the nssa and margin losses, which --one-to-n does not use'],
      [['--loss', 'nssa', '--double-neg'], '--loss nssa compares each query with its own sampled negatives: --double-neg draws negatives that are queries of their own; choose --loss auto or bce with it'],
      [['--reg', 'n3'], '--reg n3 needs a weight: give --reg-weight > 0'],
      [['--query-weights', 'subsampling', '--one-to-n'], '--query-weights subsampling weighs the sampled loss of each query: it cannot be used with --one-to-n (1-N training scores all entities)'],
      [['--lr-decay', '0.5', '--lr-patience', '10', '--patience', '5'], '--lr-patience 10 is not below --patience 5: the run would stop early before --lr-decay 0.5 lowers the learning rate'],
      [['--config', 'c.json'], "--config c.json:4: key 'loss' margin ranks each gold answer against sampled negatives: with --config c.json:3: key 'oneToN' (every entity scored)"],
    ];
    for (const [flags, message] of cases) {
      const run = cli(cwd, 'train', '--dataset', 'g', ...flags, '--out', 'x');
      expect(run.stderr, flags.join(' ')).toMatch(new RegExp(`^kgdistill: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      expect(run.stderr.trim().split('\n'), flags.join(' ')).toHaveLength(1);
      expect(run.status, flags.join(' ')).toBe(2);
      expect(run.stdout, flags.join(' ')).toBe('');
    }
    expect(readdirSync(cwd)).toEqual(['c.json']); // no run directory, no runs/
  }, 240_000);

  it('a failure of the work (no such dataset) still exits 1', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'kgdistill-conflict-'));
    const run = cli(cwd, 'train', '--dataset', path.join(cwd, 'nosuch'), '--one-to-n', '--loss', 'bce', '--out', 'x');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^kgdistill: /);
    expect(existsSync(path.join(cwd, 'x'))).toBe(false);
  }, 60_000);
});

describe('options that contradict each other (library)', () => {
  it('train rejects with the exported OptionsError, naming each key with its value, nothing written', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-conflict-api-')), 'run');
    const error = await train({ dataset: 'g', oneToN: true, loss: 'margin', out }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OptionsError);
    const message = 'loss margin ranks each gold answer against sampled negatives: with oneToN (every entity scored) choose loss auto (softmax) or bce';
    expect((error as OptionsError).message).toBe(message);
    expect((error as OptionsError).problems).toEqual([{ key: 'loss', message, value: 'margin' }, { key: 'oneToN', message, value: true }]);
    expect(existsSync(out)).toBe(false);
  });

  it('conflictingOptions is a usage error for the command line', () => {
    const error = conflictingOptions('--reg n3 needs a weight', ['reg', 'regWeight'], { reg: 'n3', regWeight: 0 });
    expect(error.problems).toEqual([{ key: 'reg', message: '--reg n3 needs a weight', value: 'n3' }, { key: 'regWeight', message: '--reg n3 needs a weight', value: 0 }]);
    expect(exitOf(error)).toEqual({ code: USAGE_EXIT_CODE, print: true });
    expect(exitOf(new Error('no such dataset'))).toEqual({ code: 1, print: true });
  });
});
