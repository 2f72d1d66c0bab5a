import { beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { helpOf, runCli as runCliWith, runCliCapturing } from '../helpers/run-cli.js';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { registerTrainCommand } from '../../src/cli/commands/train.js';
import { registerEvalCommand } from '../../src/cli/commands/eval.js';
import { registerDistillCommand } from '../../src/cli/commands/distill.js';
import { registerPlotCommand } from '../../src/cli/commands/plot.js';
import { registerPredictCommand } from '../../src/cli/commands/predict.js';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/core/checkpoint.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-cli-'));
let graph: string;

const runCli = (args: string[]): Promise<string> => runCliWith([registerTrainCommand, registerEvalCommand, registerDistillCommand, registerPlotCommand, registerPredictCommand], args);

const lastJson = (out: string): Record<string, unknown> => JSON.parse(out.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;

beforeAll(async () => {
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 150, seed: 5 });
});

describe('kgdistill train / eval / distill / plot', () => {
  const run = () => path.join(tmp, 'run');

  it("train --help lists every model of the registry with its summary (the summaries were printed nowhere)", () => {
    const help = helpOf(registerTrainCommand, ['train']);
    expect(help).toContain('Models (the registry\'s: interaction, paper, default loss):\n');
    expect(help).toMatch(/^ {2}RotatE +complex rotation, −‖h ∘ r − t‖₂ .*Sun et al\. 2019\); self-adversarial loss, γ = 3, α = 1$/m);
    expect(help).toMatch(/^ {2}MuRE +/m);
  });

  it('train --json ends with the metrics, backend and seconds; eval of the run reproduces the test metrics', async () => {
    const out = await runCli(['train', '--dataset', graph, '--model', 'ComplEx', '--dim', '16', '--epochs', '6', '--valid-every', '3',
      '--batch-size', '100', '--lr', '0.1', '--seed', '4', '--out', run(), '--json']);
    const result = lastJson(out);
    for (const key of ['mrr', 'hits@1', 'hits@3', 'hits@10', 'mr', 'backend', 'seconds']) expect(result).toHaveProperty(key);
    expect(result.backend).toBe('wasm');
    // above chance by half: a random ranking of 150 entities has expected reciprocal rank H₁₅₀/150 ≈ 0.0373
    const chance = Array.from({ length: 150 }, (_, i) => 1 / (i + 1)).reduce((s, x) => s + x, 0) / 150;
    expect(result.mrr as number).toBeGreaterThan(1.5 * chance);
    const binaryOf = (stem: string): string => (JSON.parse(readFileSync(path.join(run(), `${stem}.json`), 'utf8')) as { binary: { file: string } }).binary.file;
    expect(binaryOf('best')).toMatch(/^best-[a-z0-9]+\.bin$/);
    expect(existsSync(path.join(run(), binaryOf('best'))) && existsSync(path.join(run(), binaryOf('last')))).toBe(true);
    expect(readFileSync(path.join(run(), 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(6);
    const evaluated = lastJson(await runCli(['eval', '--checkpoint', run(), '--json']));
    expect(evaluated.mrr).toBe(result.mrr);
    expect(evaluated['hits@10']).toBe(result['hits@10']);
  });

  it("eval of a run trained with --eval-candidates ranks as the run did (saying so); --eval-candidates 0 ranks against all entities", async () => {
    const sampledRun = path.join(tmp, 'sampled-run');
    const trained = lastJson(await runCli(['train', '--dataset', graph, '--model', 'DistMult', '--dim', '16', '--epochs', '3', '--valid-every', '3',
      '--eval-candidates', '20', '--eval-seed', '3', '--seed', '1', '--out', sampledRun, '--json']));
    const { out, err } = await runCliCapturing([registerEvalCommand], ['eval', '--checkpoint', sampledRun, '--json']);
    expect(err).toContain('ranking against 20 sampled candidates per query, as the run was evaluated (its --eval-candidates 20); --eval-candidates 0 ranks against all entities');
    expect(lastJson(out).mrr).toBe(trained.mrr); // it ranked against all entities, silently
    const full = lastJson(await runCli(['eval', '--checkpoint', sampledRun, '--eval-candidates', '0', '--json']));
    expect(full.mrr).toBeLessThan(trained.mrr as number); // 149 candidates rank the gold answer lower than 20 do
    // its validations say they were sampled: the epoch log and report lines, metrics.jsonl and the plot's series
    const again = await runCliCapturing([registerTrainCommand], ['train', '--dataset', graph, '--model', 'DistMult', '--dim', '16', '--epochs', '3', '--valid-every', '3',
      '--eval-candidates', '20', '--eval-seed', '3', '--seed', '1', '--out', path.join(tmp, 'sampled-again')]);
    expect(again.err).toMatch(/epoch 3: .* \| valid MRR [\d.]+ H@10 [\d.]+ \(sampled: 20 candidates\) \(best\)/);
    expect(again.out).toMatch(/best valid MRR [\d.]+ \(sampled: 20 candidates, not comparable with full ranking\) at epoch 3/);
    const record = JSON.parse(readFileSync(path.join(sampledRun, 'metrics.jsonl'), 'utf8').trim().split('\n').at(-1)!) as { valid: { candidates: number } };
    expect(record.valid.candidates).toBe(20);
    await runCli(['plot', sampledRun]);
    expect(readFileSync(path.join(sampledRun, 'curves.svg'), 'utf8')).toContain('validation MRR (sampled: 20 candidates)');
  });

  it('eval --unseen with another policy than the run was trained with says why it cannot', async () => {
    const withUnseen = path.join(tmp, 'graph-unseen');
    cpSync(graph, withUnseen, { recursive: true });
    writeFileSync(path.join(withUnseen, 'test.txt'), `${readFileSync(path.join(graph, 'test.txt'), 'utf8')}new-entity\tparent\te1\n`);
    const unseenRun = path.join(tmp, 'unseen-run');
    await runCli(['train', '--dataset', withUnseen, '--model', 'DistMult', '--dim', '8', '--epochs', '1', '--unseen', 'keep', '--out', unseenRun]);
    await expect(runCli(['eval', '--checkpoint', unseenRun, '--unseen', 'drop'])).rejects.toThrow(/^--unseen drop: the run was trained with --unseen keep, and its vocabulary is that policy's \(.*entities differ.*\); evaluate it with --unseen keep$/);
    // eval says what loading dropped, as train does (it said nothing)
    const dropRun = path.join(tmp, 'unseen-drop-run');
    await runCli(['train', '--dataset', withUnseen, '--model', 'DistMult', '--dim', '8', '--epochs', '1', '--unseen', 'drop', '--out', dropRun]);
    expect(await runCli(['eval', '--checkpoint', dropRun])).toContain('data: dropped 0 valid and 1 test triples with entities or relations unseen in train (--unseen drop)');
    expect(lastJson(await runCli(['eval', '--checkpoint', dropRun, '--json'])).data).toMatchObject({ unseenPolicy: 'drop', unseen: { valid: 0, test: 1 } });
  });

  it('eval of a run whose dataset moved names --dataset', async () => {
    const moved = path.join(tmp, 'graph-to-move');
    cpSync(graph, moved, { recursive: true });
    const movedRun = path.join(tmp, 'moved-run');
    await runCli(['train', '--dataset', moved, '--model', 'DistMult', '--dim', '8', '--epochs', '1', '--out', movedRun]);
    renameSync(moved, `${moved}-elsewhere`);
    await expect(runCli(['eval', '--checkpoint', movedRun])).rejects.toThrow(`${moved}: dataset directory not found: the run was trained on it; if it moved, give its directory with --dataset`);
    // the same test figures as the run's own test evaluation, made before its dataset moved
    const tested = (JSON.parse(readFileSync(path.join(movedRun, 'result.json'), 'utf8')) as { mrr: number }).mrr;
    expect(lastJson(await runCli(['eval', '--checkpoint', movedRun, '--dataset', `${moved}-elsewhere`, '--json'])).mrr).toBe(tested);
  });

  it('refuses to overwrite a run without --resume, and --resume continues it to more epochs', async () => {
    await expect(runCli(['train', '--dataset', graph, '--model', 'ComplEx', '--dim', '16', '--out', run()])).rejects.toThrow(/already holds a run: pass --resume/);
    // while another process trains it, that comes first (--resume would only meet the lock)
    const lock = path.join(run(), '.lock');
    writeFileSync(lock, `${process.ppid} ${hostname()}\n`);
    await expect(runCli(['train', '--dataset', graph, '--model', 'ComplEx', '--dim', '16', '--out', run()])).rejects.toThrow(
      `${run()} is in use by process ${process.ppid} on ${hostname()} (lock file ${lock}): give a new --out, or wait for that run to end`);
    rmSync(lock);
    const out = await runCli(['train', '--dataset', graph, '--out', run(), '--resume', '--epochs', '9', '--json']);
    expect(lastJson(out).epochs).toBe(9);
    expect(readFileSync(path.join(run(), 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(9);
  });

  it('plot writes an SVG of the curves', async () => {
    const out = await runCli(['plot', run()]);
    const svg = readFileSync(out.trim(), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*class="marks"[^>]*><!-- kgdistill plot -->/);
    expect(svg).toContain('validation MRR');
    expect((await runCli(['plot', run()])).trim()).toBe(out.trim()); // a plot replaces its own plot
    const legacy = path.join(tmp, 'legacy.svg'); // a plot from before the mark: vega's root element
    writeFileSync(legacy, svg.replace('<!-- kgdistill plot -->', ''));
    expect((await runCli(['plot', run(), '--out', legacy])).trim()).toBe(legacy);
    const drawing = path.join(tmp, 'drawing.svg'); // an SVG of the user's: kept
    writeFileSync(drawing, '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>');
    await expect(runCli(['plot', run(), '--out', drawing])).rejects.toThrow(`--out ${drawing}: exists and is not a plot kgdistill wrote; give a new file (nothing was written)`);
    expect(readFileSync(drawing, 'utf8')).toBe('<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>');
    await expect(runCli(['plot', run(), '--out', path.join(tmp, 'curves.png')])).rejects.toThrow(`--out ${path.join(tmp, 'curves.png')}: plot writes SVG; give a file name ending in .svg (nothing was written)`);
    expect(existsSync(path.join(tmp, 'curves.png'))).toBe(false);
    const notes = path.join(tmp, 'notes.svg');
    writeFileSync(notes, 'hello');
    await expect(runCli(['plot', run(), '--out', notes])).rejects.toThrow(`--out ${notes}: exists and is not a plot kgdistill wrote; give a new file (nothing was written)`);
    expect(readFileSync(notes, 'utf8')).toBe('hello');
    const empty = path.join(tmp, 'no-epochs');
    mkdirSync(empty, { recursive: true });
    writeFileSync(path.join(empty, 'metrics.jsonl'), '');
    await expect(runCli(['plot', empty])).rejects.toThrow(`${path.join(empty, 'metrics.jsonl')}: no epoch recorded yet: nothing to plot`);
    writeFileSync(path.join(empty, 'metrics.jsonl'), '{"epoch":1,"loss":1}\n\nnot json\n{"epoch":2,"loss":1}\n');
    await expect(runCli(['plot', empty])).rejects.toThrow(`${path.join(empty, 'metrics.jsonl')}:3: not a JSON record`);
    expect(existsSync(path.join(empty, 'curves.svg'))).toBe(false);
  });

  it('eval of a corrupt checkpoint is a clear error', async () => {
    const broken = path.join(tmp, 'broken');
    await runCli(['train', '--dataset', graph, '--model', 'DistMult', '--dim', '8', '--epochs', '1', '--valid-every', '1', '--out', broken, '--json']);
    const bin = path.join(broken, (JSON.parse(readFileSync(path.join(broken, 'best.json'), 'utf8')) as { binary: { file: string } }).binary.file);
    writeFileSync(bin, readFileSync(bin).subarray(0, 100));
    await expect(runCli(['eval', '--checkpoint', broken])).rejects.toThrow(/best-[a-z0-9]+\.bin: expected \d+ bytes, found 100 \(truncated\?\)/);
    writeFileSync(path.join(broken, 'best.json'), '{"format":"something-else"}');
    await expect(runCli(['eval', '--checkpoint', broken])).rejects.toThrow(/not a kgdistill checkpoint/);
  });

  it('distill rejects a missing teacher before training, and clamps a K larger than the entity count', async () => {
    await expect(runCli(['distill', '--dataset', graph, '--teachers', path.join(tmp, 'nowhere'), '--out', path.join(tmp, 'd1')])).rejects.toThrow(/nowhere: no such directory/);
    expect(existsSync(path.join(tmp, 'd1', 'metrics.jsonl'))).toBe(false);
    const result = lastJson(await runCli(['distill', '--dataset', graph, '--teachers', run(), '--top-k', '100000', '--epochs', '1', '--out', path.join(tmp, 'd2'), '--json']));
    expect(result.topK).toBe(150); // every entity of the generated graph
  });

  it('distill accepts a teacher trained by train with the defaults on the same data', async () => {
    const teacher = path.join(tmp, 'default-teacher');
    await runCli(['train', '--dataset', graph, '--dim', '8', '--epochs', '1', '--out', teacher, '--json']);
    const result = lastJson(await runCli(['distill', '--dataset', graph, '--teachers', teacher, '--student', 'DistMult', '--dim', '8', '--epochs', '1', '--out', path.join(tmp, 'd3'), '--json']));
    expect(result.epochs).toBe(1);
  });

  it("distill's Junior takes the student's own loss under auto, as train does, or the one named; the checkpoint and the result say which", async () => {
    const trainingOf = (dir: string): Record<string, unknown> => (JSON.parse(readFileSync(path.join(dir, 'last.json'), 'utf8')) as { training: Record<string, unknown> }).training;
    const distilled = async (name: string, extra: string[]): Promise<{ result: Record<string, unknown>; training: Record<string, unknown> }> => {
      const dir = path.join(tmp, name);
      const result = lastJson(await runCli(['distill', '--dataset', graph, '--teachers', run(), '--dim', '8', '--epochs', '1', ...extra, '--out', dir, '--json']));
      return { result, training: trainingOf(dir) };
    };
    const rotate = await distilled('junior-rotate', ['--student', 'RotatE']); // RotatE's own: self-adversarial, γ = 3 (it had BCE, the header said nssa)
    expect(rotate.result.loss).toEqual({ loss: 'nssa', margin: 3, adversarialTemperature: 1 });
    expect([rotate.training.loss, rotate.training.margin, rotate.training.adversarialTemperature]).toEqual(['nssa', 3, 1]);
    const roth = await distilled('junior-roth', ['--student', 'RotH']); // RotH's own is MulDE's BCE
    expect(roth.result.loss).toEqual({ loss: 'bce', margin: 0, adversarialTemperature: 1 });
    const margin = await distilled('junior-margin', ['--student', 'RotH', '--loss', 'margin', '--margin', '2']);
    expect(margin.result.loss).toEqual({ loss: 'margin', margin: 2, adversarialTemperature: 1 });
    expect(margin.training.loss).toBe('margin');
    // the Junior's term is the named loss's: margin ranking with γ = 2 starts near γ (scores near 0), BCE near log 2
    const juniorOf = (name: string): number => (JSON.parse(readFileSync(path.join(tmp, name, 'metrics.jsonl'), 'utf8').split('\n')[0]!) as { terms: { junior: number } }).terms.junior;
    expect(juniorOf('junior-margin')).toBeGreaterThan(1);
    expect(juniorOf('junior-roth')).toBeLessThan(1);
    // resumed, it goes on with its loss (the second epoch's term is still margin ranking's)
    const resumed = lastJson(await runCli(['distill', '--out', path.join(tmp, 'junior-margin'), '--resume', '--epochs', '2', '--json']));
    expect(resumed.loss).toEqual({ loss: 'margin', margin: 2, adversarialTemperature: 1 });
    const second = JSON.parse(readFileSync(path.join(tmp, 'junior-margin', 'metrics.jsonl'), 'utf8').trim().split('\n')[1]!) as { epoch: number; terms: { junior: number } };
    expect([second.epoch, second.terms.junior > 1]).toEqual([2, true]);
    expect(Array.from((await loadCheckpoint(path.join(tmp, 'junior-margin'), 'last')).arrays['aux:junior-loss']!)).toEqual([2, 2, 1]);
    // a checkpoint from before the Junior's loss was recorded (its header said nssa, its Junior trained with BCE) goes on with BCE, and says so
    const legacy = path.join(tmp, 'junior-legacy');
    cpSync(path.join(tmp, 'junior-rotate'), legacy, { recursive: true });
    for (const stem of ['last', 'best']) {
      const { header, arrays } = await loadCheckpoint(legacy, stem);
      const { format: _f, version: _v, createdAt: _c, arrays: _a, binary: _b, ...content } = header;
      await saveCheckpoint(legacy, stem, { header: content, arrays: Object.fromEntries(Object.entries(arrays).filter(([name]) => name !== 'aux:junior-loss')) });
    }
    const { out, err } = await runCliCapturing([registerDistillCommand], ['distill', '--out', legacy, '--resume', '--epochs', '2', '--json']);
    expect(err).toContain('note: the run trained with the bce loss, which it goes on with (its checkpoint\'s header says nssa, which did not train)');
    expect(lastJson(out).loss).toEqual({ loss: 'bce', margin: 0, adversarialTemperature: 1 });
    expect(trainingOf(legacy).loss).toBe('bce');
    expect(Array.from((await loadCheckpoint(legacy, 'last')).arrays['aux:junior-loss']!)).toEqual([0, 0, 1]);
  }, 120_000);

  it('--margin and --adv-temperature are refused where --loss auto resolves to binary cross-entropy (train and distill), which uses neither', async () => {
    const out = path.join(tmp, 'unused-margin');
    await expect(runCli(['train', '--dataset', graph, '--model', 'RotH', '--margin', '2', '--out', out])).rejects.toThrow('--margin sets the margin of the nssa and margin losses, which --loss auto (binary cross-entropy for RotH) does not use');
    await expect(runCli(['distill', '--dataset', graph, '--teachers', run(), '--student', 'AttH', '--adv-temperature', '0.5', '--out', out])).rejects.toThrow('--adv-temperature sets the temperature of the nssa and margin losses, which --loss auto (binary cross-entropy for AttH) does not use');
    await expect(runCli(['distill', '--dataset', graph, '--teachers', run(), '--student', 'RotatE', '--double-neg', '--margin', '2', '--out', out])).rejects.toThrow('--margin sets the margin of the nssa and margin losses, which --loss auto (binary cross-entropy for RotatE with --double-neg) does not use');
    expect(existsSync(out)).toBe(false);
  });

  it('eval reads the run\'s triple files as train read them (--columns htr, comma-separated)', async () => {
    const htr = path.join(tmp, 'graph-htr');
    mkdirSync(htr, { recursive: true });
    for (const split of ['train', 'valid', 'test']) {
      const lines = readFileSync(path.join(graph, `${split}.txt`), 'utf8').trim().split('\n').map((l) => { const [h, r, t] = l.split('\t'); return `${h},${t},${r}`; });
      writeFileSync(path.join(htr, `${split}.txt`), `${lines.join('\n')}\n`);
    }
    const out = path.join(tmp, 'run-htr');
    const trained = lastJson(await runCli(['train', '--dataset', htr, '--columns', 'htr', '--delimiter', 'comma', '--model', 'DistMult', '--dim', '8', '--epochs', '2', '--valid-every', '1', '--out', out, '--json']));
    const evaluated = lastJson(await runCli(['eval', '--checkpoint', out, '--json']));
    expect(evaluated.mrr).toBe(trained.mrr);
    expect(evaluated.queries).toBe(trained.queries);
    expect(trained.queries).toBeGreaterThan(0);
    // the same files named explicitly need the same reading flags; wrong ones are refused by the vocabulary check
    const explicit = lastJson(await runCli(['eval', '--checkpoint', out, '--dataset', htr, '--columns', 'htr', '--delimiter', 'comma', '--json']));
    expect(explicit.mrr).toBe(trained.mrr);
    await expect(runCli(['eval', '--checkpoint', out, '--dataset', htr, '--delimiter', 'comma'])).rejects.toThrow(/differ/);
    await expect(runCli(['eval', '--checkpoint', out, '--columns', 'thr'])).rejects.toThrow(/--columns must be hrt, htr or three positions/);
    // predictions mark known answers: the lookup too reads the files as train did
    const [head, , relation] = readFileSync(path.join(htr, 'train.txt'), 'utf8').split('\n')[0]!.split(','); // h,t,r
    const predicted = lastJson(await runCli(['predict', '--checkpoint', out, '--head', head!, '--relation', relation!.trim(), '--k', '150', '--json']));
    const answers = predicted.answers as Array<{ key: string; known?: boolean }>;
    expect(answers).toHaveLength(150); // every entity of the generated graph
    expect(answers.every((a) => typeof a.known === 'boolean')).toBe(true);
    // the known answers are the tails of (head, ·, relation) in the three htr files, read here independently
    const tails = new Set(['train', 'valid', 'test'].flatMap((split) => readFileSync(path.join(htr, `${split}.txt`), 'utf8').trim().split('\n')
      .map((l) => l.split(',')).filter(([h, , r]) => h === head && r!.trim() === relation!.trim()).map(([, t]) => t!)));
    expect(tails.size).toBeGreaterThanOrEqual(1); // the first train line's own tail at least
    expect(answers.filter((a) => a.known).map((a) => a.key).sort()).toEqual([...tails].sort());
  });

  it('--one-to-n --loss bce trains and resumes with binary cross-entropy; nssa, margin and --margin refused with --one-to-n, softmax without it; distill refuses what its Junior would not use (1-N, its softmax, a regulariser, a margin its loss has not)', async () => {
    const runs = (name: string): string => path.join(tmp, name);
    await runCli(['train', '--dataset', graph, '--model', 'DistMult', '--dim', '8', '--epochs', '1', '--one-to-n', '--loss', 'bce', '--out', runs('bce-1n'), '--json']);
    await runCli(['train', '--dataset', graph, '--model', 'DistMult', '--dim', '8', '--epochs', '1', '--one-to-n', '--out', runs('softmax-1n'), '--json']);
    const lossOf = (dir: string): number => (JSON.parse(readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8').split('\n')[0]!) as { loss: number }).loss;
    // one epoch from a small init: BCE over every entity starts at log 2 and falls, the softmax at log N
    expect(lossOf(runs('bce-1n'))).toBeLessThan(Math.LN2);
    expect(lossOf(runs('softmax-1n'))).toBeGreaterThan(1);
    for (const loss of ['nssa', 'margin']) {
      await expect(runCli(['train', '--dataset', graph, '--one-to-n', '--loss', loss, '--out', runs(`1n-${loss}`)])).rejects.toThrow(new RegExp(`--loss ${loss} ranks each gold answer against sampled negatives: with --one-to-n`));
      expect(existsSync(runs(`1n-${loss}`))).toBe(false);
    }
    await expect(runCli(['train', '--dataset', graph, '--loss', 'softmax', '--out', runs('sampled-softmax')])).rejects.toThrow(/--loss softmax is the cross-entropy over all entities of 1-N training: add --one-to-n/);
    expect(existsSync(runs('sampled-softmax'))).toBe(false);
    await expect(runCli(['train', '--dataset', graph, '--one-to-n', '--margin', '3', '--out', runs('1n-margin')])).rejects.toThrow(/--margin sets the margin of the nssa and margin losses, which --one-to-n does not use/);
    // a resumed run keeps its recorded 1-N loss: the second epoch of the BCE run is still on BCE's scale (below log 2)
    await runCli(['train', '--out', runs('bce-1n'), '--resume', '--epochs', '2', '--json']);
    const second = JSON.parse(readFileSync(path.join(runs('bce-1n'), 'metrics.jsonl'), 'utf8').trim().split('\n')[1]!) as { epoch: number; loss: number };
    expect(second.epoch).toBe(2);
    expect(second.loss).toBeLessThan(Math.LN2);
    await expect(runCli(['distill', '--dataset', graph, '--teachers', run(), '--loss', 'softmax', '--epochs', '1', '--out', runs('distill-softmax')])).rejects.toThrow(/'--loss <name>' argument 'softmax' is invalid. Allowed choices are auto, bce, nssa, margin/);
    writeFileSync(runs('distill-softmax.json'), JSON.stringify({ loss: 'softmax' })); // a config file reaches the pipeline's check
    await expect(runCli(['distill', '--dataset', graph, '--teachers', run(), '--config', runs('distill-softmax.json'), '--epochs', '1', '--out', runs('distill-softmax')])).rejects.toThrow(`--config ${runs('distill-softmax.json')}:1: key 'loss' softmax (the cross-entropy over all entities of 1-N training) is not supported by distill`); // the file and key, not a flag never typed
    expect(existsSync(runs('distill-softmax'))).toBe(false);
    const distill = (extra: string[]): Promise<string> => runCli(['distill', '--dataset', graph, '--teachers', run(), '--epochs', '1', ...extra, '--out', runs('distill-bad')]);
    await expect(distill(['--one-to-n'])).rejects.toThrow(/unknown option '--one-to-n'/);
    await expect(distill(['--neg', '0'])).rejects.toThrow('MulDE trains its Junior on its own sampled negatives (Wang et al. 2021): --neg 0 samples none; give --neg ≥ 1 (the authors: 255)'); // not train's "give --one-to-n", a flag distill has not
    lastJson(await runCli(['distill', '--dataset', graph, '--teachers', run(), '--epochs', '1', '--double-neg', '--out', runs('distill-double'), '--json']));
    expect((JSON.parse(readFileSync(path.join(runs('distill-double'), 'config.json'), 'utf8')) as { options: { doubleNeg: boolean } }).options.doubleNeg).toBe(true);
    writeFileSync(runs('distill-reg.json'), JSON.stringify({ reg: 'n3', regWeight: 0.01 }));
    await expect(distill(['--config', runs('distill-reg.json')])).rejects.toThrow(`without a regulariser: --config ${runs('distill-reg.json')}:1: key 'reg' and --config ${runs('distill-reg.json')}:1: key 'regWeight' are not supported by distill`);
    await expect(distill(['--loss', 'bce', '--margin', '3'])).rejects.toThrow('--margin sets the margin of the nssa and margin losses, which --loss bce does not use');
    await expect(distill(['--loss', 'nssa', '--double-neg'])).rejects.toThrow('--loss nssa compares each query with its own sampled negatives: --double-neg draws negatives that are queries of their own');
    await expect(runCli(['distill', '--dataset', graph, '--teachers', `${run()},${path.relative(process.cwd(), run())}`, '--epochs', '1', '--out', runs('distill-bad')]))
      .rejects.toThrow(`--teachers lists ${path.relative(process.cwd(), run())} twice: each teacher is one run directory`);
    expect(existsSync(runs('distill-bad'))).toBe(false);
  });

  it('--shared-neg: trains and is recorded; refused with --double-neg, by distill, and when not a positive integer', async () => {
    const shared = path.join(tmp, 'shared-neg');
    lastJson(await runCli(['train', '--dataset', graph, '--model', 'DistMult', '--dim', '8', '--epochs', '1', '--shared-neg', '25', '--out', shared, '--json']));
    expect((JSON.parse(readFileSync(path.join(shared, 'config.json'), 'utf8')) as { options: { sharedNeg: number } }).options.sharedNeg).toBe(25);
    await expect(runCli(['train', '--dataset', graph, '--shared-neg', '4', '--double-neg', '--out', path.join(tmp, 'sn1')])).rejects.toThrow(/--shared-neg shares the candidates of a chunk of queries: it cannot be used with --double-neg/);
    expect(existsSync(path.join(tmp, 'sn1'))).toBe(false); // nothing written
    await expect(runCli(['train', '--dataset', graph, '--shared-neg', '0', '--out', path.join(tmp, 'sn2')])).rejects.toThrow(/--shared-neg/);
    await expect(runCli(['distill', '--dataset', graph, '--teachers', run(), '--shared-neg', '4', '--epochs', '1', '--out', path.join(tmp, 'sn3')])).rejects.toThrow(/unknown option '--shared-neg'/);
    const program = new Command('kgdistill');
    registerDistillCommand(program);
    const help = program.commands.find((command) => command.name() === 'distill')!.helpInformation();
    expect(help).toMatch(/--top-k/);
    expect(help).not.toMatch(/^ +--(shared-neg|one-to-n|reg)\b/m); // distill does not offer what it refuses
    expect(help).toMatch(/^ +--margin <γ> +margin of the nssa and margin losses/m);
    expect(help).toMatch(/^ +--adv-temperature <α>/m);
    // which loss `--loss auto` gives each student: the registry's listing, train's own, not a second list in distill's words
    const fullHelp = helpOf(registerDistillCommand, ['distill']); // with the text after the options
    expect(fullHelp).toMatch(/^ {2}RotatE +complex rotation, .*; self-adversarial loss, γ = 3, α = 1$/m);
    expect(fullHelp).toMatch(/^ {2}TransE +translation, .*; self-adversarial loss, γ = 3, α = 4 on unit entities \(γ = 0, α = 8 with entity constraint none\)$/m);
    expect(help).toMatch(/^ +--double-neg +the Junior's negatives corrupt head/m);
    expect(help).not.toMatch(/one-to-n|in distill|runs\/<dataset>-<model>/); // its own words, not train's
    const trainProgram = new Command('kgdistill');
    registerTrainCommand(trainProgram);
    const trainHelp = trainProgram.commands.find((command) => command.name() === 'train')!.helpInformation();
    expect(trainHelp).toMatch(/--query-weights/);
    expect(trainHelp).not.toMatch(/in distill|mulde-<student>/);
    writeFileSync(path.join(tmp, 'sn3.json'), JSON.stringify({ sharedNeg: 4 })); // a config file reaches the pipeline's check
    await expect(runCli(['distill', '--dataset', graph, '--teachers', run(), '--config', path.join(tmp, 'sn3.json'), '--epochs', '1', '--out', path.join(tmp, 'sn3')])).rejects.toThrow(`--config ${path.join(tmp, 'sn3.json')}:1: key 'sharedNeg' is not supported by distill`);
    expect(existsSync(path.join(tmp, 'sn3'))).toBe(false);
  });
});
