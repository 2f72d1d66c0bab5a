/**
 * Crash-safety harness: runs `kgdistill train` as a child process, kills it (SIGKILL, no chance to clean up) at a
 * chosen moment — before, between or inside checkpoint writes — then resumes the run until it finishes, and
 * compares its final test metrics with an uninterrupted run of the same command. Used by bench:faults (≥ 100 kills)
 * and, with a few kills, by the test suite.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

/** How to start the CLI: the program and its leading arguments (e.g. [node, dist/src/cli/main.js]). */
export interface CliCommand { program: string; args: string[] }

/** The outcome of one child run: exit code (null when killed), stdout and stderr. */
export interface ChildRun { code: number | null; stdout: string; stderr: string; killed: boolean }

/** Runs the CLI with `args`; with `killAfterMs`, SIGKILLs it then (if still running). */
export function runChild(cli: CliCommand, args: string[], killAfterMs?: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const child = spawn(cli.program, [...cli.args, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KGDISTILL_THREADS: '1' } });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d) => { stdout += String(d); });
    child.stderr.on('data', (d) => { stderr += String(d); });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => { killed = child.kill('SIGKILL'); }, killAfterMs);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

/** The test MRR of a finished run (result.json), or undefined. */
export function resultMrr(runDir: string): number | undefined {
  const file = path.join(runDir, 'result.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { mrr: number }).mrr : undefined;
}

/** One kill: where it landed, whether the run could be resumed to its end, and whether it reached the reference. */
export interface KillTrial {
  killAtMs: number;
  /** The kill hit a running process (not one that had already finished). */
  hit: boolean;
  /** A checkpoint existed after the kill (else the run restarts from scratch, which is also a valid recovery). */
  checkpointAfterKill: boolean;
  resumed: boolean;
  matches: boolean;
  error?: string;
}

/**
 * Starts `train <args> --out runDir`, kills it after `killAtMs`, then continues it (`--resume`, or a fresh start when
 * no checkpoint was written yet) until it finishes; compares the final test MRR with `referenceMrr` (bit-identical).
 */
export async function killAndResume(cli: CliCommand, trainArgs: string[], runDir: string, killAtMs: number, referenceMrr: number): Promise<KillTrial> {
  rmSync(runDir, { recursive: true, force: true });
  const first = await runChild(cli, ['train', ...trainArgs, '--out', runDir, '--json'], killAtMs);
  const hit = first.killed && first.code === null;
  const checkpointAfterKill = existsSync(path.join(runDir, 'last.json'));
  if (!hit && first.code !== 0) return { killAtMs, hit, checkpointAfterKill, resumed: false, matches: false, error: first.stderr.trim().split('\n').at(-1) };
  let finish = first;
  if (hit) {
    finish = checkpointAfterKill
      ? await runChild(cli, ['train', '--out', runDir, '--resume', '--json'])
      : await runChild(cli, ['train', ...trainArgs, '--out', runDir, '--json']);
  }
  const resumed = finish.code === 0;
  const mrr = resultMrr(runDir);
  return { killAtMs, hit, checkpointAfterKill, resumed, matches: resumed && mrr === referenceMrr, ...(resumed ? {} : { error: finish.stderr.trim().split('\n').at(-1) }) };
}
