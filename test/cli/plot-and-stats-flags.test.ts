// `plot` takes its run directory as `--checkpoint` too and `data stats` its dataset as `--dataset` (the flags every
// other command uses); both forms naming different things is an error. A plot that cannot be written says why in
// words, naming the part of the path in the way, and never claims an old file is kept when there was none.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { registerPlotCommand } from '../../src/cli/commands/plot.js';
import { registerDataCommands } from '../../src/cli/commands/data.js';
import { helpOf, lastJsonLine, runCli } from '../helpers/run-cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-plot-flags-'));
const run = path.join(tmp, 'r1');
mkdirSync(run);
writeFileSync(path.join(run, 'metrics.jsonl'), '{"format":1,"epoch":1,"loss":0.5,"seconds":1,"steps":2}\n{"format":1,"epoch":2,"loss":0.25,"seconds":1,"steps":2}\n');

describe('plot --checkpoint', () => {
  it('is the run directory, as the argument is', async () => {
    const out = path.join(tmp, 'by-flag.svg');
    expect((await runCli([registerPlotCommand], ['plot', '--checkpoint', run, '--out', out])).trim()).toBe(out);
    expect(readFileSync(out, 'utf8')).toMatch(/^<svg[^>]*><!-- kgdistill plot -->[\s\S]*training loss/);
    const same = path.join(tmp, 'same.svg');
    expect((await runCli([registerPlotCommand], ['plot', run, '--checkpoint', `${run}/`, '--out', same])).trim()).toBe(same);
    expect(helpOf(registerPlotCommand, ['plot'])).toContain('--checkpoint <run dir>');
  });

  it('refuses two different run directories, and none', async () => {
    const out = path.join(tmp, 'never.svg');
    await expect(runCli([registerPlotCommand], ['plot', run, '--checkpoint', tmp, '--out', out]))
      .rejects.toThrow(`--checkpoint ${tmp} and the argument ${run} are two different run directory names: give one (nothing was done)`);
    await expect(runCli([registerPlotCommand], ['plot'])).rejects.toThrow('give the run directory: as an argument, or with --checkpoint <run directory>');
    expect(existsSync(out)).toBe(false);
  });
});

describe('plot --out that cannot be written', () => {
  it('names the file in the way and says nothing was written', async () => {
    const file = path.join(tmp, 'afile.txt');
    writeFileSync(file, 'x');
    const out = path.join(file, 'sub.svg');
    await expect(runCli([registerPlotCommand], ['plot', run, '--out', out]))
      .rejects.toThrow(new Error(`--out ${out}: cannot write: ${path.relative(process.cwd(), file)} is a file where a directory is needed; nothing was written`));
    await expect(runCli([registerPlotCommand], ['plot', run, '--out', path.join(file, 'a', 'sub.svg')]))
      .rejects.toThrow(`is a file where a directory is needed; nothing was written`);
  });
});

describe('data stats --dataset', () => {
  it('is the dataset, as the argument is; two different ones are refused', async () => {
    const graph = path.join(tmp, 'g');
    await runCli([registerDataCommands], ['data', 'generate', '--entities', '60', '--seed', '1', '--out', graph]);
    const byFlag = lastJsonLine(await runCli([registerDataCommands], ['data', 'stats', '--dataset', graph, '--json']));
    const byArgument = lastJsonLine(await runCli([registerDataCommands], ['data', 'stats', graph, '--json']));
    expect(byFlag).toEqual(byArgument);
    expect(byFlag.dir).toBe(graph);
    await expect(runCli([registerDataCommands], ['data', 'stats', graph, '--dataset', run]))
      .rejects.toThrow(`--dataset ${run} and the argument ${graph} are two different dataset names: give one (nothing was done)`);
    await expect(runCli([registerDataCommands], ['data', 'stats'])).rejects.toThrow('give the dataset: as an argument, or with --dataset <dataset>');
    expect(helpOf(registerDataCommands, ['data', 'stats'])).toContain('--dataset <name|dir>');
  });
});
