// Whether a process is running: a thread id of a live process is not a running process (Linux answers a signal to a
// thread's id as to its process), this process and its parent are running, an unused id is not.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { isProcessRunning } from '../../src/kg/process-running.js';

// Linux (/proc), as CI: thread ids are listed in /proc/self/task
describe.runIf(existsSync('/proc/self/task'))('isProcessRunning', () => {
  it('tells processes from threads of another process and from unused ids', () => {
    expect(isProcessRunning(process.pid)).toBe(true);
    expect(isProcessRunning(process.ppid)).toBe(true);
    expect(isProcessRunning(2147483646)).toBe(false);
    const threads = readdirSync('/proc/self/task').map(Number).filter((id) => id !== process.pid);
    expect(threads.length).toBeGreaterThan(0);
    for (const id of threads) expect(isProcessRunning(id)).toBe(false);
  });
});
