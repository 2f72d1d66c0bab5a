// A kernel worker thread holds its memory (tables, optimiser state): one left running per run, evaluation or lookup
// grew a long-lived process by a thread and that memory each time (6 evaluations: 12 → 18 threads, 143 → 237 MB).
// Each entry point now ends its runtimes' workers when it is done. (Linux: threads counted in /proc/self/status.)
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { evaluateRun } from '../../src/pipeline/evaluate.js';
import { CheckpointLookup } from '../../src/lookup/checkpoint-lookup.js';
import { initBackend } from '../../src/core/backend.js';
import { tempDir } from '../lookup/helpers.js';

const threads = (): number => Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 200)); // terminate() is asynchronous
const tmp = tempDir('worker-release');
const RELATION = 'child';
let run: string;

beforeAll(async () => {
  process.env.KGDISTILL_THREADS = '2'; // a worker per memory, whatever the machine
  await initBackend('wasm');
  const graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 300, seed: 1 });
  run = path.join(tmp, 'run');
  await runTrain({ dataset: graph, model: 'RotH', dim: 8, epochs: 2, out: run });
});

describe.runIf(existsSync('/proc/self/status'))('kernel worker threads end with the work they served', () => {
  it('repeated evaluations, trainings and lookups leave the thread count where it was', async () => {
    await evaluateRun(run);
    await settle();
    const before = threads();
    for (let i = 0; i < 4; i++) await evaluateRun(run);
    for (let i = 0; i < 2; i++) await runTrain({ dataset: path.join(tmp, 'graph'), model: 'RotH', dim: 8, epochs: 2, out: path.join(tmp, `again-${i}`) });
    for (let i = 0; i < 3; i++) {
      const lookup = await CheckpointLookup.open(run);
      const answers = await Promise.all(['e1', 'e2', 'e3'].map((head) => lookup.predict({ head, relation: RELATION, k: 5 }))); // batched
      expect(answers.every((a) => a.answers.length === 5)).toBe(true);
      lookup.close();
    }
    await settle();
    expect(threads()).toBe(before);
  });
});

describe('the thread count, which changes the last bits of the numbers', () => {
  it('is in the run\'s log and result', async () => {
    const saved = process.env.KGDISTILL_THREADS;
    try {
      for (const [env, threads] of [['1', 1], ['2', 2]] as const) {
        process.env.KGDISTILL_THREADS = env;
        const lines: string[] = [];
        const result = await runTrain({ dataset: path.join(tmp, 'graph'), model: 'RotH', dim: 8, epochs: 1, out: path.join(tmp, `threads-${env}`) }, { log: (l) => lines.push(l) });
        expect(result.summary.threads).toBe(threads);
        expect(JSON.parse(readFileSync(path.join(tmp, `threads-${env}`, 'result.json'), 'utf8')).threads).toBe(threads);
        expect(lines.join('\n')).toContain(`, ${threads} thread${threads === 1 ? '' : 's'}; run dir`);
      }
    } finally {
      if (saved === undefined) delete process.env.KGDISTILL_THREADS;
      else process.env.KGDISTILL_THREADS = saved;
    }
  });

  it('a run resumed under another thread count records both and warns in its log and result', async () => {
    const saved = process.env.KGDISTILL_THREADS;
    const out = path.join(tmp, 'threads-mixed');
    try {
      process.env.KGDISTILL_THREADS = '2';
      const first = await runTrain({ dataset: path.join(tmp, 'graph'), model: 'RotH', dim: 8, epochs: 1, out });
      expect(first.summary.warnings.join('\n')).not.toContain('KGDISTILL_THREADS');
      const again = await runTrain({ out, resume: true, epochs: 2 }); // the same count: nothing to say
      expect(again.summary.warnings.join('\n')).not.toContain('KGDISTILL_THREADS');
      process.env.KGDISTILL_THREADS = '1';
      const lines: string[] = [];
      const mixed = await runTrain({ out, resume: true, epochs: 3 }, { log: (l) => lines.push(l) });
      const warning = `${path.join(out, 'last.json')}: this run, resumed after epoch 2, has trained with 2 and then 1 threads (KGDISTILL_THREADS): it matches no run made one way`;
      expect(mixed.summary.warnings.join('\n')).toContain(warning);
      expect(lines.join('\n')).toContain(`warning: ${warning}`);
      expect(JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')).warnings.join('\n')).toContain(warning);
      expect(JSON.parse(readFileSync(path.join(out, 'last.json'), 'utf8')).training).toMatchObject({ threadCounts: [2, 1], kernelBuilds: [expect.any(String)] });
    } finally {
      if (saved === undefined) delete process.env.KGDISTILL_THREADS;
      else process.env.KGDISTILL_THREADS = saved;
    }
  });

  it('a bad KGDISTILL_THREADS stops a library run before anything is written', async () => {
    const saved = process.env.KGDISTILL_THREADS;
    const out = path.join(tmp, 'threads-bad');
    try {
      process.env.KGDISTILL_THREADS = 'two';
      await expect(runTrain({ dataset: path.join(tmp, 'graph'), model: 'RotH', dim: 8, epochs: 1, out })).rejects.toThrow("KGDISTILL_THREADS must be a whole number of threads ≥ 1");
      expect(existsSync(out)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.KGDISTILL_THREADS;
      else process.env.KGDISTILL_THREADS = saved;
    }
  });
});
