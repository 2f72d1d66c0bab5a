// Taking a run's lock on a full disk: the message names the run directory and says why in plain words (not a bare
// "ENOSPC: no space left on device, write"), and the lock's staged copy (`.lock.<pid>-<hex>`) is not left behind.
// The full disk is simulated at node:fs's writeFileSync for the staged copies only, so the test runs without mounts.
import { describe, expect, it, vi } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const refuse = { on: false };

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeFileSync = ((file: unknown, ...rest: unknown[]): void => {
    if (refuse.on && /\.lock\.\d+-[0-9a-f]{8}$/.test(String(file))) {
      // a full disk: the exclusive create succeeded, the write did not (a zero-length file is left, as on a real disk)
      fs.writeFileSync(file as string, '');
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    (fs.writeFileSync as (...args: unknown[]) => void)(file, ...rest);
  }) as typeof fs.writeFileSync;
  return { ...fs, writeFileSync, default: { ...fs, writeFileSync } };
});

const { lockRunDir } = await import('../../src/core/run-lock.js');
const { lockOrLeaveNothing } = await import('../../src/pipeline/run-rollback.js');

describe('the run lock on a full disk', () => {
  it('names the run directory and the reason, and leaves no staged copy', () => {
    const runDir = mkdtempSync(path.join(tmpdir(), 'kgdistill-lock-full-'));
    refuse.on = true;
    try {
      expect(() => lockRunDir(runDir)).toThrow(`${runDir}: cannot take the run's lock (.lock): no space left on the device (ENOSPC); nothing was written`);
    } finally {
      refuse.on = false;
    }
    expect(readdirSync(runDir)).toEqual([]);
  });

  it('takes the lock as before when the disk has room', () => {
    const runDir = mkdtempSync(path.join(tmpdir(), 'kgdistill-lock-room-'));
    const lock = lockRunDir(runDir);
    expect(readdirSync(runDir)).toEqual(['.lock']);
    lock.release();
    expect(readdirSync(runDir)).toEqual([]);
  });
});

describe("a new run whose lock cannot be taken", () => {
  it('leaves no directory it made; one it did not make, or one holding files, stays', () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'kgdistill-lock-new-'));
    const made = path.join(parent, 'made'), given = path.join(parent, 'given'), held = path.join(parent, 'held');
    for (const dir of [made, given, held]) mkdirSync(dir);
    writeFileSync(path.join(held, 'other.txt'), 'x');
    refuse.on = true;
    try {
      expect(() => lockOrLeaveNothing(made, true, () => {})).toThrow(/no space left on the device \(ENOSPC\); nothing was written$/);
      expect(() => lockOrLeaveNothing(given, false, () => {})).toThrow(/ENOSPC/);
      expect(() => lockOrLeaveNothing(held, true, () => {})).toThrow(/ENOSPC/);
    } finally {
      refuse.on = false;
    }
    expect(existsSync(made)).toBe(false);
    expect(readdirSync(given)).toEqual([]);
    expect(readdirSync(held)).toEqual(['other.txt']);
  });
});
