// The digits: the real file found and verified in place, parse errors, the seeded stratified split, batches,
// and the augmentations (hand cases for shift and rotation, clipping, determinism).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadDigits, parseDigitsCsv } from '../../../src/general/images/data/digits.js';
import { classCounts, stratifiedSplit } from '../../../src/general/images/data/split.js';
import { batchesPerEpoch, epochBatches } from '../../../src/general/images/data/batches.js';
import { augmentImages, rotateImage, shiftImage } from '../../../src/general/images/data/augment.js';
import { SeededRandom } from '../../../src/core/random.js';

const pixels = (f: (r: number, c: number) => number): Float32Array => Float32Array.from({ length: 64 }, (_, i) => f(Math.floor(i / 8), i % 8));

describe('digits data', () => {
  it('loads the 1,797 real digits (data/digits or ../shared/data/digits), checked against SHA256SUMS', async () => {
    const digits = await loadDigits('digits');
    expect(digits.n).toBe(1797);
    expect(digits.verified).toBe(true);
    expect(digits.dir).toMatch(/\/data\/digits$/);
    expect(classCounts(digits)).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    expect(Math.max(...digits.x)).toBe(1);
    expect(Math.min(...digits.x)).toBe(0);
    expect(digits.y[0]).toBe(0); // first row of the file
  });

  it('reports malformed rows with file and line', async () => {
    const good = `${new Array(64).fill(0).join(',')},3`;
    expect(parseDigitsCsv(`${good}\n\n${good}\n`, 'f').n).toBe(2);
    expect(() => parseDigitsCsv(`${good}\n1,2,3\n`, 'f.csv')).toThrow('f.csv:2: expected 65 comma-separated values, found 3');
    expect(() => parseDigitsCsv(`${new Array(64).fill(17).join(',')},3`, 'f.csv')).toThrow("f.csv:1: value 1 ('17') is not a pixel in 0..16");
    expect(() => parseDigitsCsv(`${new Array(64).fill(0).join(',')},10`, 'f.csv')).toThrow(/value 65 \('10'\) is not a label in 0..9/);
    const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-digits-'));
    writeFileSync(path.join(dir, 'digits.csv.gz'), 'not gzip');
    await expect(loadDigits(dir, { verify: false })).rejects.toThrow(/not a gzip file/);
    writeFileSync(path.join(dir, 'digits.csv.gz'), gzipSync(`${good}\n`.repeat(50)).subarray(0, 40)); // cut short
    await expect(loadDigits(dir, { verify: false })).rejects.toThrow(/digits\.csv\.gz: a truncated or damaged gzip file \(unexpected end of file\)/);
    writeFileSync(path.join(dir, 'digits.csv.gz'), gzipSync(`${good}\n`));
    expect((await loadDigits(dir, { verify: false })).n).toBe(1);
    await expect(loadDigits(path.join(dir, 'nowhere'))).rejects.toThrow(/digits data not found/);
  });

  it('splits each class in proportion, seeded, disjoint and complete', async () => {
    const digits = await loadDigits();
    const { train, test } = stratifiedSplit(digits, 0.25, 0);
    expect(train.n + test.n).toBe(1797);
    expect(test.n).toBe(451);
    classCounts(test).forEach((count, c) => expect(Math.abs(count - classCounts(digits)[c]! * 0.25)).toBeLessThanOrEqual(0.5));
    const again = stratifiedSplit(digits, 0.25, 0);
    expect(Array.from(again.test.y)).toEqual(Array.from(test.y));
    expect(Array.from(again.test.x.subarray(0, 64))).toEqual(Array.from(test.x.subarray(0, 64)));
    const other = stratifiedSplit(digits, 0.25, 1);
    expect(Array.from(other.test.x.subarray(0, 640))).not.toEqual(Array.from(test.x.subarray(0, 640)));
    expect(() => stratifiedSplit(digits, 1, 0)).toThrow(/test fraction must be in \(0, 1\)/);
  });

  it('batches cover every image once per epoch in a seeded order', async () => {
    const { train } = stratifiedSplit(await loadDigits(), 0.25, 0);
    const seen = new Set<number>();
    let count = 0;
    for (const batch of epochBatches(train, 64, new SeededRandom(1))) {
      count++;
      batch.ids.forEach((id) => seen.add(id));
      expect(batch.x.length).toBe(batch.n * 64);
    }
    expect(seen.size).toBe(train.n);
    expect(count).toBe(batchesPerEpoch(train.n, 64));
    expect(batchesPerEpoch(129, 64)).toBe(2); // a trailing single image is dropped
  });
});

describe('augmentations', () => {
  it('shifts with zero fill', () => {
    const img = pixels((r, c) => (r === 2 && c === 3 ? 1 : 0));
    const moved = shiftImage(img, 2, -1);
    expect(moved[1 * 8 + 5]).toBe(1);
    expect(moved.reduce((a, b) => a + b, 0)).toBe(1);
    expect(shiftImage(img, 8, 0).every((v) => v === 0)).toBe(true);
  });

  it('rotates about the centre: 90° moves the top row to the left column; 0° is the identity', () => {
    const top = pixels((r) => (r === 0 ? 1 : 0));
    const rotated = rotateImage(top, 90);
    for (let r = 0; r < 8; r++) expect(rotated[r * 8]).toBeCloseTo(1, 5);
    expect(rotated.reduce((a, b) => a + b, 0)).toBeCloseTo(8, 4);
    const img = pixels((r, c) => (r * 8 + c) / 64);
    expect(Array.from(rotateImage(img, 0))).toEqual(Array.from(img));
  });

  it('views are seeded, stay in [0, 1], and differ from the original', async () => {
    const { train } = stratifiedSplit(await loadDigits(), 0.25, 0);
    const options = { maxDegrees: 15, maxShift: 1, noise: 0.1 };
    const a = augmentImages(train.x.subarray(0, 640), 10, options, new SeededRandom(3));
    const b = augmentImages(train.x.subarray(0, 640), 10, options, new SeededRandom(3));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThanOrEqual(1);
    expect(Array.from(a)).not.toEqual(Array.from(train.x.subarray(0, 640)));
    const none = augmentImages(train.x.subarray(0, 640), 10, { maxDegrees: 0, maxShift: 0, noise: 0 }, new SeededRandom(3));
    expect(Array.from(none)).toEqual(Array.from(train.x.subarray(0, 640)));
  });
});
