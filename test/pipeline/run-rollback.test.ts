// What a failed new run leaves, decided under its lock: its directory is removed only when it holds nothing but a
// run's own files and no checkpoint, and never while another live process holds the directory's lock (a second run
// that took the directory once the failed one let go of it lost its directory, lock included, when the removal came
// after the release).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { removeUnstartedRun } from '../../src/pipeline/run-rollback.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-rollback-'));
/** A directory `name` holding `files`. */
function directory(name: string, files: Record<string, string>): string {
  const dir = path.join(tmp, name);
  writeFileSync(path.join(tmp, `${name}.keep`), ''); // the parent's other entries stay
  mkdirSync(dir);
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return dir;
}

describe('removeUnstartedRun', () => {
  it("removes a failed new run's directory of its own files, and nothing beside it", async () => {
    const dir = directory('own', { 'config.json': '{}', 'metrics.jsonl': '', '.lock': `${process.pid} ${hostname()}\n` });
    await removeUnstartedRun(dir);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.startsWith('own'))).toEqual(['own.keep']); // no directory set aside is left
  });

  it("leaves a directory whose lock another live process holds, one with a checkpoint, and one with the user's files", async () => {
    const other = directory('other', { 'config.json': '{}', '.lock': `${process.ppid} ${hostname()}\n` });
    const checkpointed = directory('checkpointed', { 'config.json': '{}', 'last.json': '{}' });
    const users = directory('users', { 'config.json': '{}', 'notes.txt': 'mine' });
    for (const dir of [other, checkpointed, users]) await removeUnstartedRun(dir);
    expect(readdirSync(other).sort()).toEqual(['.lock', 'config.json']);
    expect(readdirSync(checkpointed).sort()).toEqual(['config.json', 'last.json']);
    expect(readdirSync(users).sort()).toEqual(['config.json', 'notes.txt']);
  });
});
