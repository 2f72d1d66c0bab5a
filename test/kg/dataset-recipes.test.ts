// The real recipes reproduce, byte for byte, the files whose checksums data/<name>/SHA256SUMS holds, from inputs
// in the upstream formats (ConvE's tar.gz, FB15k-237 with CRLF line ends; villmow's text files and Wikidata JSON)
// rebuilt from the local copy of each dataset. Runs where the dataset is on this machine.
import { it, expect, describe } from 'vitest';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { FB15K237_RECIPE, WN18RR_RECIPE, canonicalDatasetName, recipeFor, type DatasetRecipe } from '../../src/kg/dataset-recipes.js';
import { parseManifest } from '../../src/kg/manifest.js';
import { packageRoot } from '../../src/kg/resolve-dataset.js';
import { describeWithBenchmark } from '../helpers/datasets.js';
import { readNames, tarGz, wn18rrMirror, REMOTE } from './fetch-fixtures.js';

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Assembles `recipe` from `downloads` and checks every file against the SHA256SUMS the package ships. */
async function expectChecksumsMatch(recipe: DatasetRecipe, downloads: Map<string, Buffer>): Promise<void> {
  const sums = recipe.checksumsFile();
  expect(sums).toBe(path.join(packageRoot()!, 'data', recipe.name, 'SHA256SUMS'));
  const expected = parseManifest(fs.readFileSync(sums, 'utf8'), sums);
  expect(expected.map((e) => e.file).sort()).toEqual(['entity_names.tsv', 'test.txt', 'train.txt', 'valid.txt']);
  const assembled = await recipe.assemble(downloads);
  for (const { file, sha256 } of expected) expect(`${file} ${sha(assembled.get(file)!.data)}`).toBe(`${file} ${sha256}`);
}

describe('recipe names', () => {
  it('accepts any case and the PyKEEN spellings', () => {
    expect(recipeFor('wn18rr')).toBe(WN18RR_RECIPE);
    expect(recipeFor('FB15K_237')).toBe(FB15K237_RECIPE);
    expect(canonicalDatasetName('fb15k237')).toBe('FB15k-237');
    expect(canonicalDatasetName('my-kg')).toBe('my-kg');
    expect(recipeFor('FB15k')).toBeUndefined();
  });
});

describeWithBenchmark('WN18RR', 'the WN18RR recipe on real data', (dir) => {
  it('rebuilds the four files of data/WN18RR/SHA256SUMS', async () => {
    const mirror = await wn18rrMirror(dir);
    const downloads = new Map([
      ['archive', mirror.get(REMOTE.wnArchive)!],
      ...(['train', 'valid', 'test'] as const).map((split) => [`names-${split}`, mirror.get(REMOTE.wnNames(split))!] as [string, Buffer]),
    ]);
    await expectChecksumsMatch(WN18RR_RECIPE, downloads);
    if (fs.existsSync(path.join(dir, 'SHA256SUMS'))) {
      expect(fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8')).toBe(fs.readFileSync(WN18RR_RECIPE.checksumsFile(), 'utf8'));
    }
  });
});

describeWithBenchmark('FB15k-237', 'the FB15k-237 recipe on real data', (dir) => {
  it('rebuilds the four files of data/FB15k-237/SHA256SUMS from CRLF splits and a label JSON', async () => {
    const crlf = (file: string): Buffer => Buffer.from(fs.readFileSync(path.join(dir, file), 'latin1').replace(/\n/g, '\r\n'), 'latin1');
    const archive = await tarGz({ 'valid.txt': crlf('valid.txt'), 'train.txt': crlf('train.txt'), 'test.txt': crlf('test.txt') });
    const labels = Object.fromEntries([...readNames(path.join(dir, 'entity_names.tsv'))].reverse().map(([id, label]) => [id, { label, wikidata_id: 'Q1' }]));
    labels['/m/not-in-fb15k-237'] = { label: 'dropped', wikidata_id: 'Q2' };
    await expectChecksumsMatch(FB15K237_RECIPE, new Map([['archive', archive], ['labels', Buffer.from(JSON.stringify(labels, null, 2))]]));
    if (fs.existsSync(path.join(dir, 'SHA256SUMS'))) {
      expect(fs.readFileSync(path.join(dir, 'SHA256SUMS'), 'utf8')).toBe(fs.readFileSync(FB15K237_RECIPE.checksumsFile(), 'utf8'));
    }
  }, 60_000);
});
