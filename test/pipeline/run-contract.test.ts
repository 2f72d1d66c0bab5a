// The run contract of train/distill through the pipeline (what the CLI and the library share): resumed runs keep
// their options (a differing one is an error naming it), config.json reproduces a run, a stop request (Ctrl-C)
// saves the exact position so that the resumed run equals an uninterrupted one, one process per run directory,
// a torn metrics.jsonl tail (divergence, a flat loss and empty splits: run-data-contract.test.ts).
import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { evaluateRun } from '../../src/pipeline/evaluate.js';
import { readOptionsFile } from '../../src/pipeline/run-config.js';
import { lockRunDir } from '../../src/core/run-lock.js';
import { writeFiles } from '../kg/helpers.js';
import { CONTRACT_BASE, useGraphFixture } from '../helpers/graph-fixture.js';

const fixture = useGraphFixture('kgdistill-contract-', 120);
const { tmp } = fixture;
const base = CONTRACT_BASE;

describe("the dataset reader's hints", () => {
  it('name the reading options by key in code and by flag on the command line', async () => {
    const unseen = writeFiles(path.join(tmp, 'unseen'), { 'train.txt': 'a\tr\tb\nb\tr\tc\n', 'valid.txt': 'a\tr\tx--unseen\n', 'test.txt': 'a\tr\tc\n' });
    const options = { dataset: unseen, ...base, unseen: 'error', out: path.join(tmp, 'never') } as const;
    // the hint's flag becomes the key; a name that happens to hold one stays as it is
    await expect(runTrain(options)).rejects.toThrow(`${path.join(unseen, 'valid.txt')}:1: tail entity "x--unseen" does not occur in train (unseen error; use drop or keep)`);
    await expect(runTrain(options, { naming: 'flag' })).rejects.toThrow('(--unseen error; use drop or keep)');
    const wide = writeFiles(path.join(tmp, 'wide'), { 'train.txt': 'a\tr\tb\t1\n', 'valid.txt': 'a\tr\tb\t1\n', 'test.txt': 'a\tr\tb\t1\n' });
    await expect(runTrain({ ...options, dataset: wide })).rejects.toThrow(/train\.txt:1: expected 3 fields, found 4 .*pick the head, relation and tail columns with columns, e\.g\. 0,1,2\)$/);
    expect(existsSync(path.join(tmp, 'never'))).toBe(false);
  });
});

describe('resuming and reproducing a run', () => {
  it('a resumed run refuses a differing option, naming it, and honours --epochs', async () => {
    const out = path.join(tmp, 'r1');
    await runTrain({ dataset: fixture.graph, ...base, out });
    await expect(runTrain({ out, resume: true, lr: 0.2, dim: 16 })).rejects.toThrow(/lr 0\.2 \(the run has 0\.1\); dim 16 \(the run has 8\)/);
    await expect(runTrain({ out, resume: true, lr: 0.2 }, { naming: 'flag' })).rejects.toThrow(/--lr 0\.2 \(the run has 0\.1\).*only --epochs, --patience, --valid-every/);
    // in code every option is named by its key, the hint to start anew too
    await expect(runTrain({ out, resume: true, lr: 0.2 })).rejects.toThrow(`resume ${out}: lr 0.2 (the run has 0.1); only epochs, patience, validEvery, lrDecay, lrPatience, testEval, backend may change when resuming (start a new run with out for other settings)`);
    const lines: string[] = [];
    const resumed = await runTrain({ out, resume: true, epochs: 6, lr: 0.1 }, { log: (l) => lines.push(l) });
    expect(resumed.training.epochs).toBe(6);
    expect(lines.join('\n')).toMatch(/resuming .*r1 after epoch 4; changed: epochs 6 \(was 4\)/);
    expect(readOptionsFile(path.join(out, 'config.json')).epochs).toBe(6);
    const fewer = runTrain({ out, resume: true, epochs: 5 }, { naming: 'flag' });
    await expect(fewer).rejects.toThrow(`--epochs 5: the run in ${out} has trained 6 epochs already; give more to continue it`);
    await expect(fewer).rejects.toMatchObject({ name: 'OptionsError', problems: [{ key: 'epochs', value: 5 }] }); // the command line's to fix: exit 2
    expect(readOptionsFile(path.join(out, 'config.json')).epochs).toBe(6);
  });

  it('--resume without --out, and --shared-neg with --double-neg, are options that contradict each other (OptionsError: exit 2)', async () => {
    // the types require out with resume; a JavaScript caller or a config file may not give it
    const noOut = runTrain({ resume: true } as unknown as Parameters<typeof runTrain>[0], { naming: 'flag' });
    await expect(noOut).rejects.toThrow('--resume needs --out <run dir> (the run to continue)');
    await expect(noOut).rejects.toMatchObject({ name: 'OptionsError', problems: [{ key: 'resume', value: true }, { key: 'out' }] });
    const out = path.join(tmp, 'shared-double');
    const shared = runTrain({ dataset: fixture.graph, ...base, sharedNeg: 4, doubleNeg: true, out }, { naming: 'flag' });
    await expect(shared).rejects.toThrow('--shared-neg shares the candidates of a chunk of queries: it cannot be used with --double-neg');
    await expect(shared).rejects.toMatchObject({ name: 'OptionsError', problems: [{ key: 'sharedNeg', value: 4 }, { key: 'doubleNeg', value: true }] });
    expect(existsSync(out)).toBe(false);
  });

  it('a run made before config.json existed resumes from its header with the dataset given by name or path', async () => {
    const out = path.join(tmp, 'r-old');
    await runTrain({ dataset: fixture.graph, ...base, loss: 'margin', out });
    rmSync(path.join(out, 'config.json'));
    for (const stem of ['best', 'last']) { // checkpoints from before 2026-12-05 kept no copy of the configuration
      const { runConfig: _copy, ...header } = JSON.parse(readFileSync(path.join(out, `${stem}.json`), 'utf8')) as Record<string, unknown>;
      writeFileSync(path.join(out, `${stem}.json`), JSON.stringify(header));
    }
    const other = await writeSyntheticDataset(path.join(tmp, 'graph-other'), { entities: 120, seed: 4 });
    await expect(runTrain({ out, resume: true, dataset: other, epochs: 5 }, { naming: 'flag' })).rejects.toThrow(/--dataset ".*graph-other" \(the run has ".*graph"\)/);
    const resumed = await runTrain({ out, resume: true, dataset: path.relative(process.cwd(), fixture.graph), epochs: 6 });
    expect(resumed.training.epochs).toBe(6);
    const training = (JSON.parse(readFileSync(path.join(out, 'last.json'), 'utf8')) as { training: Record<string, unknown> }).training;
    expect([training.loss, training.margin]).toEqual(['margin', 1]); // the trained loss, not the model's default (bce)
    // a 1-N run resumed the same way writes a config.json that reproduces it (its header's sampled loss is unused)
    const oneToN = path.join(tmp, 'r-old-1n');
    await runTrain({ dataset: fixture.graph, ...base, oneToN: true, out: oneToN });
    rmSync(path.join(oneToN, 'config.json'));
    for (const stem of ['best', 'last']) {
      const { runConfig: _copy, ...header } = JSON.parse(readFileSync(path.join(oneToN, `${stem}.json`), 'utf8')) as Record<string, unknown>;
      writeFileSync(path.join(oneToN, `${stem}.json`), JSON.stringify(header));
    }
    await runTrain({ out: oneToN, resume: true, dataset: fixture.graph, epochs: 5 });
    const written = readOptionsFile(path.join(oneToN, 'config.json'));
    expect([written.oneToN, written.loss, written.margin, written.advTemperature]).toEqual([true, 'softmax', undefined, undefined]); // the effective 1-N loss
    expect((await runTrain({ ...written, out: path.join(tmp, 'r-old-1n-again') } as never)).training.epochs).toBe(5);
  });

  it('config.json keeps the dataset path absolute, so the run resumes and reproduces from any directory; the path may be given either way', async () => {
    const out = path.join(tmp, 'relative');
    await runTrain({ dataset: path.relative(process.cwd(), fixture.graph), ...base, out });
    expect(readOptionsFile(path.join(out, 'config.json')).dataset).toBe(fixture.graph);
    expect((await runTrain({ out, resume: true, dataset: path.relative(process.cwd(), fixture.graph), epochs: 5 })).training.epochs).toBe(5);
    expect((await runTrain({ out, resume: true, dataset: fixture.graph, epochs: 6 })).training.epochs).toBe(6);
  });

  it('train --config <run>/config.json --out <new> reproduces the run', async () => {
    const first = await runTrain({ dataset: fixture.graph, ...base, seed: 5, out: path.join(tmp, 'c1') });
    const again = await runTrain({ ...readOptionsFile(path.join(tmp, 'c1', 'config.json')), out: path.join(tmp, 'c2') } as never);
    expect(again.json.mrr).toBe(first.json.mrr);
    expect(again.json['hits@10']).toBe(first.json['hits@10']);
  });

  it('a stop request saves the position inside the epoch; the resumed run equals an uninterrupted one', async () => {
    const straight = await runTrain({ dataset: fixture.graph, ...base, seed: 2, out: path.join(tmp, 's1') });
    let steps = 0;
    const stopped = await runTrain({ dataset: fixture.graph, ...base, seed: 2, out: path.join(tmp, 's2') }, { shouldStop: () => ++steps === 5 });
    expect(stopped.training.interrupted).toBe(true);
    expect(stopped.test).toBeUndefined();
    const header = JSON.parse(readFileSync(path.join(tmp, 's2', 'last.json'), 'utf8')) as { progress: { epoch: number; partial?: { step: number } } };
    expect(header.progress.partial?.step).toBeGreaterThan(0);
    const resumed = await runTrain({ out: path.join(tmp, 's2'), resume: true });
    expect(resumed.json.mrr).toBe(straight.json.mrr);
    expect(resumed.training.epochs).toBe(4);
  });

  it('a stop request during the last validation ends a complete run without its test evaluation, naming the command that runs it', async () => {
    let stop = false;
    const lines: string[] = [];
    const starts: string[] = [];
    const out = path.join(tmp, 's-last');
    const result = await runTrain({ dataset: fixture.graph, ...base, out }, {
      events: { onValidationStart: (epoch) => { stop = epoch === base.epochs; } }, shouldStop: () => stop, log: (l) => lines.push(l), onTestStart: (dir) => starts.push(dir),
    });
    expect(result.training.interrupted).toBe(false);
    expect(result.training.epochs).toBe(4);
    expect(result.test).toBeUndefined();
    expect(starts).toEqual([]);
    expect(lines.at(-1)).toBe(`test evaluation skipped (stop requested); it runs with: kgdistill eval --checkpoint ${out}`);
    const tested = await runTrain({ dataset: fixture.graph, ...base, out: path.join(tmp, 's-tested') }, { onTestStart: (dir) => starts.push(dir) });
    expect(tested.test).toBeDefined();
    expect(starts).toEqual([path.join(tmp, 's-tested')]);
  });
});

describe('the test evaluation belongs to one invocation; result.json describes the current best checkpoint', () => {
  type Result = Record<string, unknown> & { bestEpoch?: number; mrr?: number; testSkipped?: { reason: string; evalCommand?: string } };
  const resultOf = (out: string): Result => JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as Result;

  it('a session with testEval false skips its own test only: result.json names the new best epoch without the earlier figures, the next resume tests it', async () => {
    const out = path.join(tmp, 'test-eval-session');
    const first = await runTrain({ dataset: fixture.graph, ...base, epochs: 1, validEvery: 1, out });
    expect(resultOf(out)).toMatchObject({ bestEpoch: 1, mrr: first.json.mrr });
    // a session stopped after a new best: the earlier result.json stays until a new best is saved, then goes for good
    let newBest = false;
    const present: boolean[] = [];
    const stopped = await runTrain({ out, resume: true, epochs: 4, testEval: false }, {
      events: { onEpochStart: () => present.push(existsSync(path.join(out, 'result.json'))), onEpochEnd: (record) => { newBest ||= record.best === true; } },
      shouldStop: () => newBest,
    });
    expect(stopped.training.interrupted).toBe(true);
    expect(stopped.training.bestEpoch).toBeGreaterThan(1); // the premise: this session replaced the best checkpoint
    expect(present[0]).toBe(true); // a session killed before any new best leaves it as it was
    expect(existsSync(path.join(out, 'result.json'))).toBe(false);
    const lines: string[] = [];
    const skipped = await runTrain({ out, resume: true, epochs: 4, testEval: false }, { log: (l) => lines.push(l), naming: 'flag' });
    expect(skipped.test).toBeUndefined();
    const evalCommand = `kgdistill eval --checkpoint ${out}`;
    expect(skipped.json.testSkipped).toEqual({ reason: 'skipped (--no-test-eval)', evalCommand });
    expect(lines.at(-1)).toBe(`test evaluation skipped (--no-test-eval); it runs with: ${evalCommand}`);
    expect(lines.join('\n')).not.toMatch(/changed: .*test-eval/); // not a setting of the run
    const untested = resultOf(out);
    expect(untested).toMatchObject({ format: 'kgdistill-result', version: 1, epochs: 4, bestEpoch: skipped.training.bestEpoch, testSkipped: { reason: 'skipped (--no-test-eval)', evalCommand } });
    expect(untested).not.toHaveProperty('mrr'); // not the figures of epoch 1's checkpoint
    expect(readOptionsFile(path.join(out, 'config.json'))).not.toHaveProperty('testEval');
    // the next resume, with nothing left to train, runs the test of the current best checkpoint
    const tested = await runTrain({ out, resume: true });
    expect(tested.test).toBeDefined();
    expect(resultOf(out)).toMatchObject({ bestEpoch: skipped.training.bestEpoch, mrr: tested.json.mrr });
    expect(resultOf(out)).not.toHaveProperty('testSkipped');
    expect(tested.json.mrr).toBe((await evaluateRun(out)).metrics.mrr);
  });

  it('testEval false kept in the config.json of an older kgdistill does not skip the test of a later resume', async () => {
    const out = path.join(tmp, 'test-eval-old-config');
    await runTrain({ dataset: fixture.graph, ...base, testEval: false, out });
    expect(resultOf(out)).toMatchObject({ bestEpoch: expect.any(Number), testSkipped: { reason: 'skipped (testEval false)' } });
    const file = path.join(out, 'config.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { options: Record<string, unknown> };
    writeFileSync(file, JSON.stringify({ ...config, options: { ...config.options, testEval: false } }));
    const lines: string[] = [];
    const resumed = await runTrain({ out, resume: true, epochs: 5 }, { log: (l) => lines.push(l) });
    expect(resumed.test).toBeDefined();
    expect(resultOf(out)).toMatchObject({ epochs: 5, mrr: resumed.json.mrr });
    expect(lines.join('\n')).toMatch(/resuming .* after epoch 4; changed: epochs 5 \(was 4\)$/m);
    expect(readOptionsFile(file)).not.toHaveProperty('testEval'); // nor does a new run made from it with --config
    writeFileSync(file, JSON.stringify({ ...config, options: { ...config.options, testEval: false } }));
    expect(readOptionsFile(file)).not.toHaveProperty('testEval');
  });

  it('a session that keeps the best checkpoint keeps the earlier result.json: kept when its test is skipped, put back after a stop or an error; one naming another best epoch is replaced', async () => {
    const out = path.join(tmp, 'test-eval-kept');
    await runTrain({ dataset: fixture.graph, ...base, patience: 0, out });
    const file = path.join(out, 'result.json');
    const earlier = readFileSync(file, 'utf8');
    const best = (JSON.parse(earlier) as Result).bestEpoch!;
    const lines: string[] = [];
    const skipped = await runTrain({ out, resume: true, testEval: false }, { log: (l) => lines.push(l) }); // nothing left to train, no test
    expect(skipped.training.bestEpoch).toBe(best);
    expect(readFileSync(file, 'utf8')).toBe(earlier); // its test figures are of the current best checkpoint
    expect(lines.join('\n')).toContain(`note: ${file} keeps the test figures of an earlier finish: they are of the best checkpoint, epoch ${best}`);
    // a result.json naming another best epoch (as an earlier kgdistill left after such a resume) does not stay
    writeFileSync(file, JSON.stringify({ ...(JSON.parse(earlier) as Result), bestEpoch: best === 2 ? 4 : 2, mrr: 0.99 }));
    const again = await runTrain({ out, resume: true, testEval: false });
    expect(resultOf(out)).toMatchObject({ bestEpoch: best, testSkipped: { reason: 'skipped (testEval false)' } });
    expect(resultOf(out)).not.toHaveProperty('mrr');
    expect(again.json).not.toHaveProperty('mrr');
    const noFigures: string[] = []; // an earlier result.json without figures is not "kept": the new summary replaces it
    await runTrain({ out, resume: true, testEval: false }, { log: (l) => noFigures.push(l) });
    expect(noFigures.join('\n')).not.toContain('keeps the test figures');
    expect(resultOf(out)).toMatchObject({ bestEpoch: best, testSkipped: { reason: 'skipped (testEval false)' } });
    writeFileSync(file, earlier);
    let steps = 0;
    let present: boolean | undefined;
    const stopped = await runTrain({ out, resume: true, epochs: 5 }, { events: { onEpochStart: () => { present = existsSync(file); } }, shouldStop: () => ++steps === 2 });
    expect(stopped.training.interrupted).toBe(true);
    expect(present).toBe(true); // untouched while no new best is saved: a kill here (second Ctrl-C, SIGKILL) loses nothing
    expect(readFileSync(file, 'utf8')).toBe(earlier); // no validation, the same best: as it was
    await expect(runTrain({ out, resume: true, epochs: 5 }, { shouldStop: () => { throw new Error('disk on fire'); } })).rejects.toThrow('disk on fire');
    expect(readFileSync(file, 'utf8')).toBe(earlier); // nothing lost on an error
  });
});

describe('one process per run directory', () => {
  it('a second process is refused with the owner named; a stale lock is taken over', async () => {
    const dir = path.join(tmp, 'locked');
    mkdirSync(dir, { recursive: true });
    // another live process (this one's parent: a lock naming this process that it does not hold is an earlier one's, stale)
    writeFileSync(path.join(dir, '.lock'), `${process.ppid} ${(await import('node:os')).hostname()}\n`);
    await expect(runTrain({ dataset: fixture.graph, ...base, out: dir })).rejects.toThrow(new RegExp(`in use by process ${process.ppid}`));
    writeFileSync(path.join(dir, '.lock'), '2147483646 somewhere-else-not\n'); // another host: treated as held
    expect(() => lockRunDir(dir)).toThrow(/in use by process 2147483646 on somewhere-else-not/);
    writeFileSync(path.join(dir, '.lock'), `2147483646 ${(await import('node:os')).hostname()}\n`); // no such pid here: stale
    const result = await runTrain({ dataset: fixture.graph, ...base, out: dir });
    expect(result.training.epochs).toBe(4);
    expect(existsSync(path.join(dir, '.lock'))).toBe(false);
  });

  it('the lock is held through the final test evaluation and result.json: another process could not replace the best checkpoint being tested', async () => {
    const dir = path.join(tmp, 'locked-test');
    let refused = '';
    const result = await runTrain({ dataset: fixture.graph, ...base, out: dir }, {
      onTestStart: () => {
        try {
          lockRunDir(dir);
        } catch (error) {
          refused = (error as Error).message;
        }
      },
    });
    expect(refused).toMatch(new RegExp(`in use by process ${process.pid}`));
    expect(JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8'))).toMatchObject({ bestEpoch: result.training.bestEpoch, mrr: result.json.mrr, epochs: 4 });
    expect(existsSync(path.join(dir, '.lock'))).toBe(false);
  });
});

describe('damaged run files', () => {
  it('a torn last line of metrics.jsonl is rewritten on resume; a bad line inside is an error naming file and line', async () => {
    const out = path.join(tmp, 'torn');
    await runTrain({ dataset: fixture.graph, ...base, out });
    appendFileSync(path.join(out, 'metrics.jsonl'), '{"epoch":5,"loss":0.1'); // a crash in the middle of an append
    const resumed = await runTrain({ out, resume: true, epochs: 6 });
    expect(resumed.training.epochs).toBe(6);
    const lines = readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { epoch: number }).epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    writeFileSync(path.join(out, 'metrics.jsonl'), `${lines[0]}\nnot json\n${lines.slice(1).join('\n')}\n`);
    await expect(runTrain({ out, resume: true, epochs: 8 })).rejects.toThrow(/metrics\.jsonl:2: not a JSON record/);
  });

  it('leftovers of an interrupted checkpoint write are removed when a run starts', async () => {
    const out = path.join(tmp, 'leftovers');
    await runTrain({ dataset: fixture.graph, ...base, out });
    writeFileSync(path.join(out, 'last.json.123456'), 'half'); // write-file-atomic's temporary (before 2026-12-06)
    writeFileSync(path.join(out, 'result.json.tmp-77-1765000000000001'), 'half'); // this version's
    writeFileSync(path.join(out, 'last-mxb0000a0f1e2d.bin'), 'orphan');
    // a user's files that look alike are not a run's leftovers: they stay
    const users = ['best-model.bin', 'train.log.1', 'notes.txt.2', 'last.json.bak'];
    for (const name of users) writeFileSync(path.join(out, name), 'mine');
    await runTrain({ out, resume: true, epochs: 6 });
    for (const name of users) expect(readFileSync(path.join(out, name), 'utf8')).toBe('mine');
    for (const name of users.filter((n) => n.endsWith('.bin'))) rmSync(path.join(out, name));
    const names = readdirSync(out);
    expect(names.filter((n) => n.endsWith('.bin')).sort()).toEqual([
      (JSON.parse(readFileSync(path.join(out, 'best.json'), 'utf8')) as { binary: { file: string } }).binary.file,
      (JSON.parse(readFileSync(path.join(out, 'last.json'), 'utf8')) as { binary: { file: string } }).binary.file,
    ].sort());
    expect(names).not.toContain('last.json.123456');
    expect(names).not.toContain('result.json.tmp-77-1765000000000001');
  });

  it('an edited config.json that disagrees with the checkpoint stops a resume, naming the file, the key and both values', async () => {
    const out = path.join(tmp, 'edited-config');
    await runTrain({ dataset: fixture.graph, ...base, out });
    const file = path.join(out, 'config.json');
    const original = readFileSync(file, 'utf8');
    for (const [key, value] of [['lr', 0.5], ['dim', 'eight'], ['seed', 3]] as const) {
      const edited = JSON.parse(original) as { options: Record<string, unknown> };
      edited.options[key] = value;
      writeFileSync(file, JSON.stringify(edited));
      const before = readFileSync(path.join(out, 'last.json'), 'utf8');
      await expect(runTrain({ out, resume: true, epochs: 6 })).rejects.toThrow(`${file}: ${key} ${JSON.stringify(value)} differs from the checkpoint's ${JSON.stringify(base[key as 'lr' | 'dim'] ?? 0)}`);
      expect(readFileSync(path.join(out, 'last.json'), 'utf8')).toBe(before);
    }
    writeFileSync(file, original);
    expect((await runTrain({ out, resume: true, epochs: 6 })).training.epochs).toBe(6);
  });

  it('a model named in another case, and a run of --neg 0 from before it was refused, resume', async () => {
    const lower = path.join(tmp, 'lower-case');
    await runTrain({ dataset: fixture.graph, ...base, model: 'distmult', out: lower });
    expect((await runTrain({ out: lower, resume: true, epochs: 5 })).training.epochs).toBe(5);
    const legacy = path.join(tmp, 'legacy-neg0');
    await runTrain({ dataset: fixture.graph, ...base, oneToN: true, out: legacy });
    const config = JSON.parse(readFileSync(path.join(legacy, 'config.json'), 'utf8')) as { options: Record<string, unknown> };
    Object.assign(config.options, { neg: 0, oneToN: false }); // what such a run's config.json says
    writeFileSync(path.join(legacy, 'config.json'), JSON.stringify(config));
    expect((await runTrain({ out: legacy, resume: true, epochs: 5 })).training.epochs).toBe(5);
  });

  it('a damaged best checkpoint stops a resume before anything is trained, written or removed', async () => {
    const out = path.join(tmp, 'bad-best');
    await runTrain({ dataset: fixture.graph, ...base, out });
    const snapshot = (): Record<string, string> => Object.fromEntries(readdirSync(out).sort().map((n) => [n, readFileSync(path.join(out, n)).toString('base64')]));
    const best = readFileSync(path.join(out, 'best.json'), 'utf8');
    writeFileSync(path.join(out, 'best.json'), best.slice(0, 100)); // cut off
    let before = snapshot();
    await expect(runTrain({ out, resume: true, epochs: 6 })).rejects.toThrow(/best\.json: not a readable checkpoint header/);
    expect(snapshot()).toEqual(before); // the best binary is still there
    writeFileSync(path.join(out, 'best.json'), best);
    const binary = path.join(out, (JSON.parse(best) as { binary: { file: string } }).binary.file);
    const bytes = readFileSync(binary);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(binary, bytes);
    before = snapshot();
    await expect(runTrain({ out, resume: true, epochs: 6 })).rejects.toThrow(/best/);
    expect(snapshot()).toEqual(before);
  });
});

describe('the run directory of a new run', () => {
  it('is refused when it holds files no run writes, naming them, and nothing in it changes', async () => {
    const out = path.join(tmp, 'users-dir');
    mkdirSync(out, { recursive: true });
    for (const name of ['notes.txt', 'data.bin', 'last-x.bin']) writeFileSync(path.join(out, name), name);
    await expect(runTrain({ dataset: fixture.graph, ...base, out }, { naming: 'flag' })).rejects.toThrow(/--out .*users-dir holds files that are not a run's \(data\.bin, last-x\.bin, notes\.txt\): choose a new or an empty directory \(nothing was written\)/);
    expect(readdirSync(out).sort()).toEqual(['data.bin', 'last-x.bin', 'notes.txt']);
    const lookalikes = path.join(tmp, 'users-lookalikes'); // names like a run's leftovers, with no run beside them
    mkdirSync(lookalikes, { recursive: true });
    for (const name of ['best-model.bin', 'train.log.1']) writeFileSync(path.join(lookalikes, name), name);
    await expect(runTrain({ dataset: fixture.graph, ...base, out: lookalikes })).rejects.toThrow(/holds files that are not a run's \(best-model\.bin, train\.log\.1\)/);
    expect(readdirSync(lookalikes).sort()).toEqual(['best-model.bin', 'train.log.1']);
  });

  it('is not made when --eval-candidates cannot be met by the graph (checked before anything is written)', async () => {
    const out = path.join(tmp, 'too-many-candidates');
    const refusal = /^--eval-candidates (\d+): at most (\d+) on this dataset \(the (valid|test) query \((\?|e\d+), \w+, (\?|e\d+)\) has only \2 entities that are neither its answer nor a known answer\)$/;
    await expect(runTrain({ dataset: fixture.graph, ...base, evalCandidates: 1000, out }, { naming: 'flag' })).rejects.toThrow(refusal);
    // 119 (the entities but the answer) passed the check before, and failed at the first validation, the epochs lost
    const error = await runTrain({ dataset: fixture.graph, ...base, evalCandidates: 119, out }, { naming: 'flag' }).catch((e: Error) => e);
    const max = Number(refusal.exec((error as Error).message)?.[2]);
    expect(max).toBeLessThan(119);
    expect(existsSync(out)).toBe(false);
    const run = await runTrain({ dataset: fixture.graph, ...base, epochs: 2, evalCandidates: max, out }); // the largest that works
    expect(run.training.validCandidates).toBe(max);
    // its validations ranked against those max candidates: eval of the best checkpoint on valid, with the run's own
    // protocol (the same candidates and seed), gives the best validation MRR again
    const again = await evaluateRun(out, { split: 'valid' });
    expect(again.sampled?.protocol).toMatch(new RegExp(`^sampled: gold \\+ ${max} `));
    expect(run.training.bestValidMrr).toBe(again.metrics.mrr);
  });

  it('is accepted when it holds only what an attempt that ended before its first checkpoint left', async () => {
    const out = path.join(tmp, 'early-crash');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'config.json'), '{}');
    writeFileSync(path.join(out, 'metrics.jsonl'), '{"epoch":1,"loss":1,"seconds":1,"steps":1}\n');
    const result = await runTrain({ dataset: fixture.graph, ...base, out });
    expect(result.training.epochs).toBe(4);
  });
});
