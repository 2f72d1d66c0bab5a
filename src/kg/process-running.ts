/** Whether a process is running on this machine (for lock and staging files left by a process that may be gone). */

/** True when a process with this id is running (a process we may not signal counts as running). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
