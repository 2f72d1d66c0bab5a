/**
 * One process per run directory: `<run>/.lock` holds the owner's pid, host and boot (a lock written before the
 * host's last boot is stale even if another process now has its pid). The lock appears whole or not at
 * all (written to a file of its own, then hard-linked as `.lock`, which fails if one exists), so no process ever
 * reads a lock that is still empty. A second process gets a clear error naming the owner. A lock whose process no
 * longer exists (on this host) is stale: takeovers happen one at a time (`.lock.takeover`, created exclusively), and
 * the lock is removed only if it is still the one judged stale, so processes taking over the same stale lock cannot
 * both win. The lock is released when the run ends, and when the process exits.
 */
import { existsSync, linkSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { isProcessRunning, processStartTicks } from '../kg/process-running.js';
import { fileWriteError } from '../kg/errors.js';

/** A held lock on a run directory. */
export interface RunLock {
  readonly file: string;
  release(): void;
}

/** The lock files this process holds: a lock naming this process's pid that is not among them was written by an
 * earlier process that had the same pid (a machine restored with its pid sequence), and is stale. */
const heldByThisProcess = new Set<string>();

/** How long an unreadable or empty lock counts as being written by another process before it is stale. */
const UNREADABLE_LOCK_GRACE_MS = 10_000;

/** This boot of the host (Linux's boot_id), or '-' where there is none: tells a lock written before a reboot. */
function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || '-';
  } catch {
    return '-';
  }
}

/**
 * Whether the running process `pid` is not the one that wrote a lock recording `start` (its start time; absent in
 * locks written before 2026-12-06, which are taken at their pid's word).
 */
function pidReused(pid: number, start: string | undefined): boolean {
  if (start === undefined) return false;
  const now = processStartTicks(pid);
  return now !== undefined && now !== start;
}

/**
 * Whether the process that wrote a lock (its pid and start time) still holds it: this process when it holds the lock
 * file `key`, another when its pid runs with the recorded start time.
 */
function writerRunning(pid: number, start: string | undefined, key: string): boolean {
  return pid === process.pid ? heldByThisProcess.has(key) : isProcessRunning(pid) && !pidReused(pid, start);
}

/** A lock's fields (`pid host boot start`; locks of older versions end earlier); `pid` is undefined when unreadable. */
interface LockFields { pid: number | undefined; host: string | undefined; boot: string | undefined; start: string | undefined }

/** Splits a lock file's content into its fields (an empty or damaged content has no pid and no host). */
function parseLock(content: string): LockFields {
  const [pidText, host, boot, start] = content.trim().split(/\s+/);
  const pid = Number(pidText);
  return { pid: Number.isInteger(pid) && pid > 0 ? pid : undefined, host, boot, start };
}

/** Creates `file` holding `content` in one step, or returns false when it exists (link() fails with EEXIST). */
function createWhole(file: string, content: string): boolean {
  const staged = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`; // named as stagedLockPid reads
  try {
    writeFileSync(staged, content, { flag: 'wx' }); // inside the try: a full disk leaves no staged copy behind
    linkSync(staged, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
    // a file system without hard links: an exclusive create, then the content (a reader may see it empty: see below)
    try {
      writeFileSync(file, content, { flag: 'wx' });
      return true;
    } catch (fallbackError) {
      if ((fallbackError as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw fallbackError;
    }
  } finally {
    rmSync(staged, { force: true });
  }
}

/** The writer's pid of a run lock's staged copy (`.lock.<pid>-<8 hex digits>`, createWhole); undefined for any other name. */
export function stagedLockPid(name: string): number | undefined {
  const match = /^\.lock\.(\d+)-[0-9a-f]{8}$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

/** Whether `name` is what taking a run's lock can leave: a staged copy, an older version's `.lock.stale-…`, the takeover guard. */
export function isLockLeftover(name: string): boolean {
  return stagedLockPid(name) !== undefined || /^\.lock\.(?:stale-\d+-[0-9a-f]{8}|takeover)$/.test(name);
}

/**
 * Whether the staged lock copy `file` was left by a process that has ended: one naming this host whose pid is gone,
 * or an empty one (its content never reached the disk) older than an unreadable lock's grace. A copy of a process on
 * another host (a shared file system) or one being written is kept.
 */
export function isLeftStagedLock(file: string): boolean {
  const pid = stagedLockPid(path.basename(file));
  if (pid === undefined || pid === process.pid) return false;
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const { host } = parseLock(content);
  if (host === undefined) return ageMs(file, 0) >= UNREADABLE_LOCK_GRACE_MS; // empty or cut short: its content never reached the disk
  return host === hostname() && !isProcessRunning(pid);
}

/** `createWhole` for a run's lock, a file-system failure (full disk, read-only, not ours) said as the run's, not its staged copy's. */
function createWholeOrSay(runDir: string, file: string, content: string): boolean {
  try {
    return createWhole(file, content);
  } catch (error) {
    throw fileWriteError(runDir, error, `cannot take the run's lock (${path.basename(file)})`, '; nothing was written');
  }
}

/** How long a `.lock.takeover` may stand before it counts as left by a killed process. */
const TAKEOVER_GRACE_MS = 10_000;

/**
 * Removes the lock `file` if it still holds `stale`, one takeover at a time (`<file>.takeover`, created exclusively;
 * one older than TAKEOVER_GRACE_MS was left by a killed process and is replaced). False when another process is
 * taking it over (try again) or the lock changed.
 */
function removeStale(file: string, stale: string): boolean {
  const guard = `${file}.takeover`;
  try {
    writeFileSync(guard, `${process.pid}\n`, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (ageMs(guard, 0) >= TAKEOVER_GRACE_MS) rmSync(guard, { force: true }); // (gone meanwhile: age 0, try again)
    return false;
  }
  try {
    if (readLock(file) !== stale) return false;
    rmSync(file, { force: true });
    return true;
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Milliseconds since `file` was last written, or `ifGone` when it no longer exists. */
function ageMs(file: string, ifGone: number): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return ifGone;
  }
}

/** The lock file's content, or null when it vanished meanwhile. */
function readLock(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * The process that holds the lock of `runDir` now (a run being trained), if one does: its pid and host. A lock of a
 * process that is gone, or written before this host's last boot, holds nothing.
 */
export function runLockHolder(runDir: string): { pid: number; host: string } | undefined {
  const file = path.join(runDir, '.lock');
  const seen = existsSync(file) ? readLock(file) : null;
  if (seen === null) return undefined;
  const { pid, host, boot, start } = parseLock(seen);
  if (pid === undefined) return undefined;
  if (host !== undefined && host !== hostname()) return { pid, host };
  if (boot !== undefined && boot !== bootId()) return undefined;
  return writerRunning(pid, start, path.resolve(file)) ? { pid, host: host ?? hostname() } : undefined;
}

/**
 * Takes the lock of `runDir` (which must exist), or throws naming the process that holds it; `onNotice` hears when
 * a stale lock of a process that is gone is taken over.
 */
export function lockRunDir(runDir: string, onNotice?: (message: string) => void): RunLock {
  const file = path.join(runDir, '.lock');
  const thisBoot = bootId();
  const thisStart = processStartTicks(process.pid);
  const me = `${process.pid} ${hostname()} ${thisBoot}${thisStart === undefined ? '' : ` ${thisStart}`}\n`;
  const held = path.resolve(file); // this process's key for the lock (whatever spelling runDir had)
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createWholeOrSay(runDir, file, me)) {
      heldByThisProcess.add(held);
      const release = (): void => {
        process.off('exit', release);
        heldByThisProcess.delete(held);
        try {
          if (readFileSync(file, 'utf8') === me) rmSync(file, { force: true });
        } catch { /* already gone */ }
      };
      process.on('exit', release);
      return { file, release };
    }
    const seen = readLock(file);
    if (seen === null) continue; // released meanwhile: try again
    const { pid, host, boot, start } = parseLock(seen);
    const readable = pid !== undefined;
    if (pid === undefined) {
      // empty or unreadable: being written by a process without hard links, or damaged long ago
      if (ageMs(file, Infinity) < UNREADABLE_LOCK_GRACE_MS) throw new Error(`${runDir} is being locked by another process (lock file ${file}); try again in a few seconds`);
    } else {
      const sameHost = host === undefined || host === hostname();
      // a lock from before this host's last boot is stale whatever process has that pid now
      const sameBoot = boot === undefined || boot === thisBoot;
      if (!sameHost || (sameBoot && writerRunning(pid, start, held))) {
        throw new Error(`${runDir} is in use by process ${pid}${sameHost ? '' : ` on ${host}`} (lock file ${file}); wait for it to end, or remove the lock file if that process is gone`);
      }
    }
    // stale: take it over under `.lock.takeover`, created exclusively, so that takeovers happen one at a time; the
    // lock is removed only if it is still the one judged stale (another process may have replaced it meanwhile)
    if (!removeStale(file, seen)) continue;
    const why = !readable ? `the unreadable lock ${file} (older than ${UNREADABLE_LOCK_GRACE_MS / 1000} s)`
      : boot !== undefined && boot !== thisBoot ? `the lock ${file} of process ${pid}, written before this host's last boot`
      : pid === process.pid ? `the lock ${file} of an earlier process ${pid} (this process has its id)`
      : isProcessRunning(pid) ? `the lock ${file} of process ${pid}, which is gone (another process, started later, has its id now)` : `the lock ${file} of process ${pid}, which is gone`;
    onNotice?.(`took over ${why}`);
  }
  const takingOver = existsSync(`${file}.takeover`) ? `: another process is taking over its stale lock (${file}.takeover, cleared after ${TAKEOVER_GRACE_MS / 1000} s if that process died); try again in a few seconds` : '; try again';
  throw new Error(`${runDir}: could not take the lock file ${file}${takingOver}`);
}
