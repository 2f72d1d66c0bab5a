/** Whether a process is running on this machine (for lock and staging files left by a process that may be gone). */
import { readFileSync } from 'node:fs';

/**
 * True when a process with this id is running (a process we may not signal counts as running). On Linux a thread's
 * id answers a signal as its process would, so an id that is only a thread of another process (a pid of a process
 * now gone, reused as a thread id — common when a machine is restored with the same pid sequence) is not running.
 */
export function isProcessRunning(pid: number): boolean {
  const threadGroup = linuxThreadGroup(pid);
  if (threadGroup === 'gone') return false;
  if (threadGroup !== undefined && threadGroup !== pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process (thread group) that id `pid` belongs to per /proc, 'gone' when /proc has no such id, undefined without /proc. */
function linuxThreadGroup(pid: number): number | 'gone' | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' && hasProcfs() ? 'gone' : undefined;
  }
  const tgid = /^Tgid:\s*(\d+)/m.exec(status);
  return tgid ? Number(tgid[1]) : undefined;
}

/**
 * When process `pid` started, as /proc/<pid>/stat's field 22 (clock ticks after boot): with the pid it names one
 * process for the life of a boot (a pid is reused, its start time is not). Undefined without /proc or when gone.
 */
export function processStartTicks(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so count the fields after its last ')'
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[19]; // field 22 overall; fields[0] is field 3 (state)
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

let procfs: boolean | undefined;
/** Whether this host has a Linux /proc (read once). */
function hasProcfs(): boolean {
  if (procfs === undefined) {
    try {
      readFileSync('/proc/self/status', 'utf8');
      procfs = true;
    } catch {
      procfs = false;
    }
  }
  return procfs;
}
