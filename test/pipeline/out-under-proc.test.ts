// A run directory below /proc: Node 20's recursive mkdir never returns there (it makes the parent again, finds it,
// and tries the child again, for ever), so `train --out /proc/x/run` used to hang; now every writer makes its
// directories one by one (kg/make-directory.ts) and the run fails at once naming --out and the directory.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { runTrain } from '../../src/pipeline/train.js';
import { writeFileAtomic } from '../../src/core/atomic-file.js';

describe.runIf(process.platform === 'linux' && existsSync('/proc/self'))('a directory below /proc', () => {
  it('train --out fails at once naming --out and the directory that refuses', async () => {
    const graph = await writeSyntheticDataset(path.join(mkdtempSync(path.join(tmpdir(), 'kgdistill-proc-')), 'graph'), { entities: 40, seed: 1 });
    const started = Date.now();
    await expect(runTrain({ dataset: graph, model: 'DistMult', dim: 4, epochs: 1, out: '/proc/kgdistill-test/run' }, { naming: 'flag' }))
      .rejects.toThrow('--out /proc/kgdistill-test/run: cannot create the run directory (/proc: cannot create /proc/kgdistill-test there: accepts no new files or directories (a special file system such as /proc or /sys?))');
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);

  it('an atomic write names the directory instead of spinning', async () => {
    await expect(writeFileAtomic('/proc/kgdistill-test/x/file.json', '{}')).rejects.toThrow('/proc: cannot create /proc/kgdistill-test there');
  }, 20_000);
});
