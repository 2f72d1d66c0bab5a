// loadDataset's progress: the bytes read of all three split files, increasing, ending at their total size, for
// tab-separated (byte reader), whitespace-separated (line reader) and comma-separated (csv-parse) files, the probe of
// valid's first triple (maxEntitiesWithValid) not counted.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/kg/dataset.js';
import { tempDir } from './helpers.js';

function writeSplits(dir: string, separator: string): number {
  fs.mkdirSync(dir, { recursive: true });
  let total = 0;
  for (const [split, count] of [['train', 3000], ['valid', 200], ['test', 200]] as const) {
    const lines = Array.from({ length: count }, (_, i) => [`e${i % 97}`, `r${i % 5}`, `e${(i * 31) % 97}`].join(separator));
    const text = `${lines.join('\n')}\n`;
    fs.writeFileSync(path.join(dir, `${split}.txt`), text);
    total += Buffer.byteLength(text);
  }
  return total;
}

describe('loadDataset progress', () => {
  it.each([['tabs', '\t'], ['spaces', ' '], ['commas', ',']])('%s: bytes read increase to the files\' total', async (_name, separator) => {
    const dir = path.join(tempDir('kgdistill-progress-'), 'g');
    const size = writeSplits(dir, separator);
    const seen: Array<[number, number]> = [];
    // with a bound that looks for valid's first triple before train: its probe is not counted
    const dataset = await loadDataset(dir, { onProgress: (done, total) => seen.push([done, total]), maxEntitiesWithValid: 1000 });
    expect(dataset.report.lines.train).toBe(3000);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.every(([, total]) => total === size)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThan(seen[i - 1]![0]);
    expect(seen.at(-1)![0]).toBe(size);
  });
});
