// `kgdistill plot` on a hand-edited metrics.jsonl: a line without the numeric loss or validation MRR the trainer
// writes is an error naming the file, the line and the field, and no SVG is written (never one drawing NaN).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { registerPlotCommand } from '../../src/cli/commands/plot.js';
import { runCli } from '../helpers/run-cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-plot-metrics-'));

/** A run directory holding only metrics.jsonl with these lines. */
function runWith(name: string, lines: string[]): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'metrics.jsonl'), lines.map((l) => `${l}\n`).join(''));
  return dir;
}

describe('kgdistill plot of a damaged metrics.jsonl', () => {
  it('refuses lines without a numeric loss or validation MRR, naming file, line and field, and writes nothing', async () => {
    const dir = runWith('bad', ['{"format":1,"epoch":1,"loss":0.5,"seconds":1,"steps":2}', '{"format":1,"epoch":2,"loss":"high","valid":{"mrrx":1}}']);
    const out = path.join(tmp, 'bad.svg');
    await expect(runCli([registerPlotCommand], ['plot', dir, '--out', out]))
      .rejects.toThrow(`${path.join(dir, 'metrics.jsonl')}:2: not an epoch record (loss: must be a number; valid.mrr: is missing)`);
    expect(existsSync(out)).toBe(false);
    const noLoss = runWith('no-loss', ['{"format":1,"epoch":1}']);
    await expect(runCli([registerPlotCommand], ['plot', noLoss])).rejects.toThrow(`${path.join(noLoss, 'metrics.jsonl')}:1: not an epoch record (loss: is missing)`);
    expect(existsSync(path.join(noLoss, 'curves.svg'))).toBe(false);
    // the same run with the fields the trainer writes plots, without NaN or Infinity
    const good = runWith('good', ['{"format":1,"epoch":1,"loss":0.5,"seconds":1,"steps":2}', '{"format":1,"epoch":2,"loss":0.4,"seconds":1,"steps":2,"valid":{"mrr":0.3}}']);
    expect((await runCli([registerPlotCommand], ['plot', good])).trim()).toBe(path.join(good, 'curves.svg'));
    expect(readFileSync(path.join(good, 'curves.svg'), 'utf8')).not.toMatch(/NaN|Infinity/);
  });
});
