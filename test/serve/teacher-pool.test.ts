// The explorer's pool of teachers (opened on the server to compare a student with them): a teacher asked for is
// opened once and served; one still opening when the pool closes is closed once it is open, not left running.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { initBackend } from '../../src/core/backend.js';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { TeacherPool } from '../../src/serve/teacher-comparison.js';
import { tempDir } from '../lookup/helpers.js';
import { namedGraph, trainRun } from '../lookup/trained-run.js';

const tmp = tempDir('teacher-pool');
let teacher: string;

beforeAll(async () => {
  await initBackend('wasm');
  teacher = await trainRun(await namedGraph(path.join(tmp, 'graph')), path.join(tmp, 'distmult'), 'DistMult');
});

describe('TeacherPool', () => {
  it('opens a teacher once, serves it, and closes it with the pool', async () => {
    const closed = vi.spyOn(CheckpointLookup.prototype, 'close');
    try {
      const pool = new TeacherPool(() => []);
      const first = await pool.get({ name: 'distmult', dir: teacher });
      const again = await pool.get({ name: 'distmult', dir: teacher });
      expect('lookup' in first && 'lookup' in again && first.lookup === again.lookup).toBe(true);
      expect(closed).not.toHaveBeenCalled();
      pool.close();
      expect(closed).toHaveBeenCalledTimes(1);
    } finally {
      closed.mockRestore();
    }
  });

  it('a teacher still opening when the pool closes is closed once it is open', async () => {
    const opening = vi.spyOn(CheckpointLookup, 'open');
    const closed = vi.spyOn(CheckpointLookup.prototype, 'close');
    try {
      const pool = new TeacherPool(() => []);
      pool.prepare([{ name: 'distmult', dir: teacher }]);
      pool.close(); // before the open has finished
      expect(closed).not.toHaveBeenCalled();
      const lookup = await opening.mock.results[0]!.value as CheckpointLookup;
      await new Promise((resolve) => setImmediate(resolve));
      expect(closed.mock.contexts).toEqual([lookup]);
      expect(await pool.get({ name: 'gone', dir: undefined })).toMatchObject({ status: 'missing' });
    } finally {
      opening.mockRestore();
      closed.mockRestore();
    }
  });
});
