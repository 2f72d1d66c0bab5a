// writeNewDirectory: a staging directory left by a killed writer (its pid no longer running) is removed by the next
// writer beside the same target; a live writer's, another target's and an unrecognised name are left alone.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeNewDirectory } from '../../src/kg/new-directory.js';

describe('writeNewDirectory and the staging directories of killed writers', () => {
  it('removes a dead writer\'s staging beside the target, keeps the others, and names its own with its pid', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kgdistill-new-directory-'));
    const deadPid = 99_999_999; // above any pid_max: never a running process
    const leftovers = [`.out.tmp-${deadPid}-abc123`, `.out.tmp-${process.ppid}-def456`, `.other.tmp-${deadPid}-abc123`, '.out.tmp-XYZ123'];
    for (const name of leftovers) {
      mkdirSync(path.join(dir, name));
      writeFileSync(path.join(dir, name, 'entity.tsv'), 'half-written');
    }
    let stagingName = '';
    await writeNewDirectory(path.join(dir, 'out'), async (staging) => {
      stagingName = path.basename(staging);
      writeFileSync(path.join(staging, 'a.txt'), 'done');
    });
    expect(stagingName).toMatch(new RegExp(`^\\.out\\.tmp-${process.pid}-[A-Za-z0-9]{6}$`));
    expect(readFileSync(path.join(dir, 'out', 'a.txt'), 'utf8')).toBe('done');
    expect(existsSync(path.join(dir, leftovers[0]!))).toBe(false); // the killed writer's
    expect(readdirSync(dir).sort()).toEqual([...leftovers.slice(1), 'out'].sort()); // a live one's, another target's, an old-style name
  });
});
