// Checkpoints a user copied, edited or downloaded: every damage class is a clear error from eval, lookups and
// distill's teacher loading, never a silent load (NaN embeddings passed the checksum before; a vocabulary could be
// shorter than the table or hold a name twice; binary.file could point outside the run directory).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { evaluateRun } from '../../src/pipeline/evaluate.js';
import { openModel } from '../../src/pipeline/open-model.js';
import { TeacherEnsemble } from '../../src/muldE/teacher-ensemble.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-foreign-'));
let run: string;

beforeAll(async () => {
  expect(await tf.setBackend('wasm')).toBe(true);
  const graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 60, seed: 1 });
  run = path.join(tmp, 'run');
  await runTrain({ dataset: graph, model: 'DistMult', dim: 8, epochs: 2, validEvery: 1, batchSize: 64, out: run });
});

type Header = { vocab: { entities: string[]; relations: string[] }; binary: { file: string; bytes: number; sha256: string }; arrays: { name: string; offset: number; length: number }[] };

/** A copy of the run whose best checkpoint was changed by `damage` (binary and header kept consistent unless it says otherwise). */
function damaged(name: string, damage: (header: Header, floats: Float32Array) => void): string {
  const dir = path.join(tmp, name);
  cpSync(run, dir, { recursive: true });
  const header = JSON.parse(readFileSync(path.join(dir, 'best.json'), 'utf8')) as Header;
  const bytes = readFileSync(path.join(dir, header.binary.file));
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  damage(header, floats);
  const out = Buffer.from(floats.buffer);
  writeFileSync(path.join(dir, header.binary.file), out);
  header.binary.sha256 = createHash('sha256').update(out).digest('hex'); // the checksum passes: only the content is wrong
  writeFileSync(path.join(dir, 'best.json'), JSON.stringify(header));
  return dir;
}

describe('checkpoints from elsewhere', () => {
  it('NaN or infinite embeddings are rejected by eval, lookups and distill', async () => {
    for (const [name, value] of [['nan', Number.NaN], ['inf', Number.POSITIVE_INFINITY]] as const) {
      const dir = damaged(name, (header, floats) => {
        const entity = header.arrays.find((a) => a.name === 'param:entity')!;
        floats[entity.offset + 8 * 7 + 3] = value; // row 7
      });
      // row 7, column 3 of the d = 8 table: float 59 of the array (the checkpoint names arrays, not rows)
      const pattern = new RegExp(`best-[a-z0-9]+\\.bin: array 'param:entity' holds ${String(value)} at index 59; a checkpoint holds finite numbers only`);
      await expect(evaluateRun(dir)).rejects.toThrow(pattern);
      await expect(openModel(dir)).rejects.toThrow(pattern);
      await expect(TeacherEnsemble.load([dir], { entityNames: [], relationNames: [] }, 'wasm')).rejects.toThrow(pattern);
    }
  });

  it('a vocabulary shorter than the table, or naming an entity twice, is rejected', async () => {
    const short = damaged('short-vocab', (header) => { header.vocab.entities.pop(); });
    await expect(openModel(short)).rejects.toThrow(/the vocabulary names 59 entities, the model has 60/);
    const twice = damaged('dup-vocab', (header) => { header.vocab.entities[1] = header.vocab.entities[0]!; });
    await expect(evaluateRun(twice)).rejects.toThrow(new RegExp(`the vocabulary names entity '${'e0'}' twice|names entity '.*' twice`));
  });

  it('a binary outside the run directory is refused (no path in binary.file)', async () => {
    const dir = damaged('escape', () => undefined);
    const header = JSON.parse(readFileSync(path.join(dir, 'best.json'), 'utf8')) as Header;
    header.binary.file = '../../../../../etc/hostname';
    writeFileSync(path.join(dir, 'best.json'), JSON.stringify(header));
    await expect(evaluateRun(dir)).rejects.toThrow(/binary\.file '\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/hostname' must be a plain file name in the checkpoint's directory/);
  });
});
