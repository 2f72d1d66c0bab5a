// Crash safety of `kgdistill train` as a real process: SIGKILL at several moments (before the first checkpoint,
// between and inside checkpoint writes), then --resume reaches exactly the uninterrupted run's test metrics; and
// Ctrl-C (SIGINT), SIGTERM and SIGHUP save the position, print the --resume command and exit 128 + the signal's
// number. bench:faults does ≥ 100 kills.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeSyntheticDataset } from '../../src/kg/synthetic-graph.js';
import { killAndResume, resultMrr, runChild, type CliCommand } from '../../bench/kill-harness.js';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
// node itself (tsx as a loader, not tsx's runner, which relays SIGINT and SIGTERM to its child but dies of SIGHUP)
const cli: CliCommand = { program: process.execPath, args: ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts')] };
const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-kill-'));
let args: string[];
let reference: number;
let fullMs: number;

beforeAll(async () => {
  const graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 300, seed: 7 });
  args = ['--dataset', graph, '--model', 'DistMult', '--dim', '16', '--epochs', '8', '--valid-every', '1', '--batch-size', '64', '--lr', '0.1', '--seed', '9'];
  const started = performance.now();
  const straight = await runChild(cli, ['train', ...args, '--out', path.join(tmp, 'straight'), '--json']);
  fullMs = performance.now() - started;
  expect(straight.code).toBe(0);
  reference = resultMrr(path.join(tmp, 'straight'))!;
}, 120_000);

describe('kill -9 at any moment, then --resume', () => {
  it('resumes after every kill and reaches the uninterrupted numbers', async () => {
    const trials = [];
    for (const fraction of [0.45, 0.6, 0.75, 0.9]) trials.push(await killAndResume(cli, args, path.join(tmp, `k${fraction}`), fraction * fullMs, reference));
    for (const t of trials) expect(t, JSON.stringify(t)).toMatchObject({ resumed: true, matches: true });
    expect(trials.filter((t) => t.hit).length).toBeGreaterThanOrEqual(2);
  }, 300_000);
});

describe('Ctrl-C, and the stop signals of service managers and closed terminals', () => {
  it.each([['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const)('%s saves the position, prints the resume command, exits %i; the resumed run equals the uninterrupted one', async (signal, exitCode) => {
    const out = path.join(tmp, signal.toLowerCase());
    const child = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      import('node:child_process').then(({ spawn }) => {
        const p = spawn(cli.program, [...cli.args, 'train', ...args, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stderr = '';
        let sent = false;
        p.stderr.on('data', (d) => {
          stderr += String(d);
          if (!sent && /epoch 2:/.test(stderr)) {
            sent = true;
            p.kill(signal);
          }
        });
        p.on('close', (code) => resolve({ code, stderr }));
      });
    });
    expect(child.code).toBe(exitCode);
    expect(child.stderr).toMatch(new RegExp(`saved; continue with: kgdistill train --out .*${signal.toLowerCase()} --resume`));
    const resumed = await runChild(cli, ['train', '--out', out, '--resume', '--json']);
    expect(resumed.code).toBe(0);
    expect(resultMrr(out)).toBe(reference);
  }, 120_000);
});
