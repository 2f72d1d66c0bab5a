// readRunFacts on hand-written run files: the settings the explorer shows, the learning rate's plateau schedule
// only when the run had one; curves from metrics.jsonl.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRunFacts } from '../../src/serve/run-facts.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-run-facts-'));

/** A run directory with a config.json of these options and two metrics lines. */
function runWith(name: string, options: Record<string, unknown>): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ format: 'kgdistill-config', version: 1, command: 'train', options }));
  writeFileSync(path.join(dir, 'metrics.jsonl'), '{"epoch":1,"loss":0.5,"seconds":1,"steps":2}\n{"epoch":2,"loss":0.4,"seconds":1,"steps":2,"valid":{"mrr":0.3},"lr":0.025}\n');
  return dir;
}

describe('readRunFacts', () => {
  it('shows the plateau schedule of a run that had one', async () => {
    const facts = await readRunFacts(runWith('decay', { lr: 0.05, optimizer: 'adam', epochs: 2, lrDecay: 0.5, lrPatience: 1, dim: 8 }));
    expect(facts.settings).toEqual({ epochs: 2, lr: 0.05, optimizer: 'adam', lrDecay: 0.5, lrPatience: 1 });
    expect(facts.curves).toEqual([{ epoch: 1, loss: 0.5 }, { epoch: 2, loss: 0.4, validMrr: 0.3 }]);
  });

  it('says why a run shows no curves when its metrics.jsonl cannot be read (a newer format), and nothing when it has none', async () => {
    const dir = runWith('newer-metrics', { lr: 0.05 });
    const file = path.join(dir, 'metrics.jsonl');
    writeFileSync(file, '{"format":2,"epoch":1,"loss":0.5}\n');
    const facts = await readRunFacts(dir);
    expect(facts.curves).toEqual([]);
    expect(facts.curvesNote).toBe(`no curves: ${file}:1: metrics format 2, this kgdistill reads format 1`);
    rmSync(file);
    expect((await readRunFacts(dir)).curvesNote).toBeUndefined();
  });

  it('leaves a constant rate unmentioned beside lr', async () => {
    const facts = await readRunFacts(runWith('constant', { lr: 0.05, optimizer: 'adam', lrDecay: 1, lrPatience: 2 }));
    expect(facts.settings).toEqual({ lr: 0.05, optimizer: 'adam' });
  });

  it("passes on why a finished run has no test figures (result.json's testSkipped), and none beside test figures", async () => {
    const dir = runWith('skipped', { lr: 0.05 });
    const testSkipped = { reason: 'skipped (--no-test-eval)', evalCommand: `kgdistill eval --checkpoint ${dir}` };
    writeFileSync(path.join(dir, 'result.json'), JSON.stringify({ format: 'kgdistill-result', version: 1, bestEpoch: 2, testSkipped }));
    const facts = await readRunFacts(dir);
    expect([facts.test, facts.testSkipped]).toEqual([undefined, testSkipped]);
    writeFileSync(path.join(dir, 'result.json'), JSON.stringify({ format: 'kgdistill-result', version: 1, mrr: 0.5, testSkipped }));
    expect((await readRunFacts(dir)).testSkipped).toBeUndefined();
  });

  it('reads the settings from the checkpoint\'s copy when config.json is lost, and shows none when both are', async () => {
    const options = { lr: 0.05, optimizer: 'adam', epochs: 2 };
    const dir = runWith('lost', options);
    rmSync(path.join(dir, 'config.json'));
    const header = { runConfig: { format: 'kgdistill-config', version: 1, command: 'train', options } }; // the part of best.json read here
    writeFileSync(path.join(dir, 'best.json'), JSON.stringify(header));
    expect((await readRunFacts(dir)).settings).toEqual(options);
    writeFileSync(path.join(dir, 'best.json'), '{"runConfig": {"format": "x"}}');
    writeFileSync(path.join(dir, 'config.json'), '{"format": "kgdistill-config", "ver');
    expect((await readRunFacts(dir)).settings).toEqual({});
  });
  it('shows no test figures of a result.json of another version or format, or a damaged one, and says why without naming a directory', async () => {
    const dir = runWith('foreign-result', { lr: 0.05 });
    const file = path.join(dir, 'result.json');
    const cases: [string, string][] = [
      [JSON.stringify({ format: 'kgdistill-result', version: 2, mrr: 0.99 }), "no test figures: the run's result.json is of version 2; this kgdistill reads version 1"],
      [JSON.stringify({ mrr: 0.77, 'hits@1': 0.5 }), "no test figures: the run's result.json is not a kgdistill result: it has no format field (kgdistill-result expected)"],
      [JSON.stringify({ format: 'other-tool', version: 1, mrr: 0.5 }), 'no test figures: the run\'s result.json is not a kgdistill result: its format is "other-tool", not kgdistill-result'],
      [JSON.stringify({ format: 'kgdistill-result', mrr: 0.5 }), "no test figures: the run's result.json has no version field"],
      [JSON.stringify({ format: 'kgdistill-result', version: 1, mrr: 'high' }), "no test figures: the run's result.json is damaged (mrr: Invalid input: expected number, received string)"],
      ['{"format": "kgdistill-result", "version": 1, "mrr": 0.5', "no test figures: the run's result.json is cut off: its JSON ends mid-way, after 55 bytes"],
      ['', "no test figures: the run's result.json is empty"],
      ['[1, 2]', "no test figures: the run's result.json is damaged: not a JSON object"],
    ];
    for (const [text, note] of cases) {
      writeFileSync(file, text);
      const facts = await readRunFacts(dir);
      expect([facts.test, facts.testNote]).toEqual([undefined, note]);
    }
    writeFileSync(file, JSON.stringify({ format: 'kgdistill-result', version: 1, mrr: 0.14, 'hits@1': 0.1 }));
    const facts = await readRunFacts(dir);
    expect([facts.test?.mrr, facts.test?.['hits@1'], facts.testNote]).toEqual([0.14, 0.1, undefined]);
  });
});
