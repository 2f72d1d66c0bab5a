/**
 * One process per run directory: `<run>/.lock` holds the owner's pid and host, created exclusively. A second
 * process gets a clear error naming the owner; a lock whose process no longer exists (on this host) is stale and
 * taken over. The lock is released when the run ends, and when the process exits.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { isProcessRunning } from '../kg/process-running.js';

/** A held lock on a run directory. */
export interface RunLock {
  readonly file: string;
  release(): void;
}

/** Takes the lock of `runDir` (which must exist), or throws naming the process that holds it. */
export function lockRunDir(runDir: string): RunLock {
  const file = path.join(runDir, '.lock');
  const me = `${process.pid} ${hostname()}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, me);
      closeSync(fd);
      const release = (): void => {
        process.off('exit', release);
        try {
          if (readFileSync(file, 'utf8') === me) rmSync(file, { force: true });
        } catch { /* already gone */ }
      };
      process.on('exit', release);
      return { file, release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const [pidText, host] = readFileSync(file, 'utf8').trim().split(/\s+/);
    const pid = Number(pidText);
    const sameHost = host === undefined || host === hostname();
    if (Number.isInteger(pid) && pid > 0 && (!sameHost || isProcessRunning(pid))) {
      throw new Error(`${runDir} is in use by process ${pid}${sameHost ? '' : ` on ${host}`} (lock file ${file}); wait for it to end, or remove the lock file if that process is gone`);
    }
    rmSync(file, { force: true }); // stale: its process is gone
  }
  throw new Error(`${runDir}: could not take the lock file ${file}`);
}
