// A checkpoint header edited by hand — its model renamed (TransE → DistMult: the same tables and shapes, other
// scores; RotH → RefH; a name that does not exist), an option, the vocabulary's order, the array index — no longer
// matches the seal its binary carries: eval, the lookups (predict, neighbors, serve), export, verify and --resume
// each refuse it naming the file and the key, where DistMult loaded silently and answered with other scores before.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { evaluateRun } from '../../src/pipeline/evaluate.js';
import { openModel } from '../../src/pipeline/open-model.js';
import { exportRun } from '../../src/pipeline/export.js';
import { loadCheckpoint, verifyCheckpoint, readCheckpointHeader } from '../../src/core/checkpoint.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-edited-model-'));
let graph: string;
const runs: Record<string, string> = {};

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 40, seed: 1 });
  for (const model of ['TransE', 'RotH']) {
    runs[model] = path.join(tmp, model);
    await runTrain({ dataset: graph, model, dim: 8, epochs: 1, validEvery: 1, batchSize: 64, out: runs[model], testEval: false });
  }
}, 120_000);

type Header = Record<string, unknown> & { model: { model: string; options: Record<string, unknown> }; vocab: { entities: string[] };
  arrays: { name: string; offset: number; length: number }[]; binary: { file: string; sha256: string } };

/** A copy of run `from` whose best.json and last.json were edited by `edit`. */
function edited(from: string, name: string, edit: (header: Header) => void): string {
  const dir = path.join(tmp, name);
  cpSync(runs[from]!, dir, { recursive: true });
  for (const stem of ['best', 'last']) {
    const file = path.join(dir, `${stem}.json`);
    const header = JSON.parse(readFileSync(file, 'utf8')) as Header;
    edit(header);
    writeFileSync(file, JSON.stringify(header));
  }
  return dir;
}

describe('a checkpoint header edited by hand', () => {
  it('TransE renamed DistMult (same tables and shapes) is refused by eval, lookups, export, verify and resume, naming the file and model.model', async () => {
    const dir = edited('TransE', 'distmult', (h) => { h.model.model = 'DistMult'; });
    const best = path.join(dir, 'best.json');
    const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const message = (file: string): RegExp => new RegExp(`^${escaped(file)}: model\\.model is "DistMult", but its binary (best|last)-[0-9a-z]+\\.bin was saved with "TransE": the header was edited`);
    await expect(evaluateRun(dir)).rejects.toThrow(message(best));
    await expect(openModel(dir)).rejects.toThrow(message(best)); // predict, neighbors and serve open the run this way
    await expect(exportRun(dir, 'tsv', path.join(tmp, 'distmult-emb'))).rejects.toThrow(message(best));
    await expect(verifyCheckpoint(dir, 'best')).rejects.toThrow(message(best));
    await expect(readCheckpointHeader(dir, 'best')).rejects.toThrow(message(best));
    // --resume blames the edited checkpoint, not the run's intact config.json
    const last = path.join(dir, 'last.json');
    await expect(runTrain({ dataset: graph, model: 'TransE', dim: 8, epochs: 2, validEvery: 1, batchSize: 64, out: dir, resume: true, testEval: false }))
      .rejects.toThrow(message(last));
    expect(existsSync(path.join(tmp, 'distmult-emb'))).toBe(false); // nothing written
  }, 60_000);

  it('RotH renamed RefH, or a model that does not exist, names model.model and both values', async () => {
    const refh = edited('RotH', 'refh', (h) => { h.model.model = 'RefH'; });
    await expect(evaluateRun(refh)).rejects.toThrow(`${path.join(refh, 'best.json')}: model.model is "RefH", but its binary`);
    await expect(evaluateRun(refh)).rejects.toThrow(/was saved with "RotH": the header was edited .*; restore model\.model to "RotH"/);
    const none = edited('RotH', 'nope', (h) => { h.model.model = 'NoSuchModel'; });
    await expect(openModel(none)).rejects.toThrow(`${path.join(none, 'best.json')}: model.model is "NoSuchModel", but its binary`);
  });

  it('an option, the vocabulary order or the array index edited is refused, naming the key', async () => {
    const norm = edited('TransE', 'norm', (h) => { h.model.options.norm = h.model.options.norm === 1 ? 2 : 1; });
    const saved = (JSON.parse(readFileSync(path.join(runs.TransE!, 'best.json'), 'utf8')) as Header).model.options.norm;
    await expect(evaluateRun(norm)).rejects.toThrow(`model.options.norm is ${saved === 1 ? 2 : 1}, but its binary`);
    const swapped = edited('TransE', 'vocab', (h) => { [h.vocab.entities[0], h.vocab.entities[1]] = [h.vocab.entities[1]!, h.vocab.entities[0]!]; });
    await expect(openModel(swapped)).rejects.toThrow(`${path.join(swapped, 'best.json')}: vocab.entities is not the list of names its binary`);
    const moved = edited('TransE', 'index', (h) => {
      const [a, b] = [h.arrays[0]!, h.arrays[1]!];
      if (a.length === b.length) [a.offset, b.offset] = [b.offset, a.offset];
      else [a.name, b.name] = [b.name, a.name];
    });
    await expect(evaluateRun(moved)).rejects.toThrow(/best\.json: arrays\[0\] is '.*' at \d+, \d+ floats, but its binary best-[0-9a-z]+\.bin was saved with 'param:entity' at 0/);
  });

  it('an unedited run still loads; a checkpoint saved before seals loads too, unless its model disagrees with its runConfig', async () => {
    // the reloaded checkpoint ranks as the model did when it was validated in training (epoch 1, the best)
    const validated = JSON.parse(readFileSync(path.join(runs.TransE!, 'metrics.jsonl'), 'utf8').trim().split('\n')[0]!) as { epoch: number; valid: { mrr: number } };
    expect(validated.epoch).toBe(1);
    expect((await evaluateRun(runs.TransE!, { split: 'valid' })).metrics.mrr).toBe(validated.valid.mrr);
    // the same checkpoint as an older kgdistill wrote it: no seal in its binary or index
    const legacy = edited('TransE', 'legacy', () => undefined);
    for (const stem of ['best', 'last']) {
      const file = path.join(legacy, `${stem}.json`);
      const header = JSON.parse(readFileSync(file, 'utf8')) as Header & { binary: { bytes: number } };
      const seal = header.arrays.pop()!;
      expect(seal.name).toBe('header-seal');
      const binary = path.join(legacy, header.binary.file);
      const bytes = readFileSync(binary).subarray(0, 4 * seal.offset);
      writeFileSync(binary, bytes);
      header.binary.bytes = bytes.length;
      header.binary.sha256 = createHash('sha256').update(bytes).digest('hex');
      writeFileSync(file, JSON.stringify(header));
    }
    const loaded = await loadCheckpoint(legacy, 'best');
    expect(loaded.header.model.model).toBe('TransE');
    expect((await evaluateRun(legacy)).metrics.mrr).toBe((await evaluateRun(runs.TransE!)).metrics.mrr);
    const best = path.join(legacy, 'best.json');
    const header = JSON.parse(readFileSync(best, 'utf8')) as Header;
    writeFileSync(best, JSON.stringify({ ...header, model: { ...header.model, model: 'DistMult' } }));
    await expect(evaluateRun(legacy)).rejects.toThrow(`${best}: model.model is "DistMult", but runConfig.options.model (the configuration the run was made with) is "TransE"`);
    // without its runConfig copy, an old checkpoint has nothing to compare with: it loads as it says (as before)
    writeFileSync(best, JSON.stringify({ ...header, runConfig: undefined }));
    expect((await loadCheckpoint(legacy, 'best')).header.model.model).toBe('TransE');
    rmSync(path.join(tmp, 'legacy'), { recursive: true });
  }, 60_000);
});
