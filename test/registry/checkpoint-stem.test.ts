// Which checkpoint a run directory is read from, and what a missing one is called: a run copied with only its best
// checkpoint, asked for its last, is told to drop --last (it read "no checkpoint in this directory" beside best.json).
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkpointStemOf } from '../../src/registry/load-run.js';
import { CheckpointError } from '../../src/core/checkpoint.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-stem-'));
/** A run directory holding the given (empty) header files. */
function runWith(name: string, files: string[]): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir);
  for (const file of files) writeFileSync(path.join(dir, file), '{}');
  return dir;
}

describe('checkpointStemOf', () => {
  it('reads best, else last, or the one asked for', () => {
    const both = runWith('both', ['best.json', 'last.json']);
    expect([checkpointStemOf(both), checkpointStemOf(both, 'last'), checkpointStemOf(runWith('last-only', ['last.json']))]).toEqual(['best', 'last', 'last']);
  });

  it('says to drop --last when only best.json is there, and names both files when neither is', () => {
    const bestOnly = runWith('best-only', ['best.json']);
    expect(checkpointStemOf(bestOnly)).toBe('best');
    expect(() => checkpointStemOf(bestOnly, 'last')).toThrow(CheckpointError);
    expect(() => checkpointStemOf(bestOnly, 'last')).toThrow(`${bestOnly}: no last checkpoint in this directory (last.json) but a best one: drop --last (in code, last: true) to read best.json`);
    expect(() => checkpointStemOf(runWith('empty', []), 'last')).toThrow('no checkpoint in this directory (expected best.json or last.json from `kgdistill train`)');
  });
});
