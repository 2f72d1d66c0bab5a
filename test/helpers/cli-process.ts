// `kgdistill <args>` as a real process (tsx on src/cli/main.ts, from the repository's root): for the tests of exit
// codes and of what a failing command writes.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The repository's root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** How a process that failed ended: its exit code and what it wrote. */
export interface ProcessFailure {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kgdistill <args>` in a real process (with `env`, else this process's); resolves with its failure, or undefined when it exits 0. */
export function cliProcessFailure(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<ProcessFailure | undefined> {
  const tsx = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  return promisify(execFile)(tsx, [path.join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: REPO_ROOT, ...(env ? { env } : {}) }).then(
    () => undefined,
    (e: ProcessFailure) => e,
  );
}
