/**
 * `npm run bench:mulde-quality`: the MulDE quality table of docs/RESULTS.md from scratch — teachers, single-model
 * reproductions, twins and distilled students, each one `kgdistill train|distill` command (one row of the plan).
 * Resumable: a row whose run directory holds `result.json` with test figures is done; one holding `last.json` is continued with
 * `--resume`. Rows run one at a time, in stage order (teachers before the students that need them).
 *
 * Usage: node dist/bench/mulde-quality.js [--root runs/quality] [--only <regex on row ids>] [--list] [--report]
 *   --list    print every row's command and state, run nothing
 *   --report  print the tables from the finished rows (mean ± std over seeds; each student beside its twin and each
 *             ablation variant beside the full method, paired seed by seed), run nothing
 * Set KGDISTILL_THREADS=1 to leave the second core free; KGDISTILL_DATA to find the datasets from a build copy.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, closeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readMetrics } from '../src/core/metrics-log.js';
import type { EpochRecord } from '../src/core/trainer.js';
import { formatMeanStd } from '../src/cli/kd-tables.js';
import { meanStd } from '../src/general/stats.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';
import { pairedGains, type SeedResult } from './paired-gain.js';
import { qualityPlan, selectRows, type Row } from './mulde-quality-plan.js';

exitOnHelp(import.meta.url);

/** The command line; an unknown flag, a flag without its value or a bad `--only` exits 2 with a message naming it. */
function options(): { root: string; rows: Row[]; list: boolean; report: boolean } {
  const { values } = benchArgs('mulde-quality', {
    flags: { root: { type: 'string', default: 'runs/quality' }, only: { type: 'string' }, list: { type: 'boolean' }, report: { type: 'boolean' } },
  });
  try {
    const root = path.resolve(values.root);
    return { root, rows: selectRows(qualityPlan(root), values.only), list: values.list, report: values.report };
  } catch (error) {
    process.stderr.write(`bench:mulde-quality: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
const { root, rows, list, report: reportOnly } = options();
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

const runDir = (row: Row): string => path.join(root, row.dataset, row.id);
type Result = { mrr: number; 'hits@1': number; 'hits@3': number; 'hits@10': number; seconds: number; epochs: number; bestEpoch: number };
/** A row's test figures; a result.json without them (a finish whose test was skipped) leaves the row to run: resumed, it tests. */
const resultOf = (row: Row): Result | undefined => {
  const file = path.join(runDir(row), 'result.json');
  const result = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<Result>) : undefined;
  return typeof result?.mrr === 'number' ? (result as Result) : undefined;
};
/** Minutes of training and validation over every session of a run (result.json's seconds count only the last). */
async function minutesOf(row: Row, result: Result): Promise<number> {
  const records = await readMetrics<EpochRecord>(path.join(runDir(row), 'metrics.jsonl'));
  if (records.length === 0) return result.seconds / 60;
  return records.reduce((s, r) => s + r.seconds + (r.valid?.seconds ?? 0), 0) / 60;
}
const commandOf = (row: Row): string => `kgdistill ${row.args.join(' ')} --out ${runDir(row)}`;

/** Runs one row to its end (resuming it when a checkpoint exists); resolves with the exit code. */
function runRow(row: Row): Promise<number> {
  const dir = runDir(row);
  mkdirSync(path.dirname(dir), { recursive: true });
  const resume = existsSync(path.join(dir, 'last.json')) ? ['--resume'] : [];
  const log = openSync(path.join(path.dirname(dir), `${row.id}.log`), 'a');
  const child = spawn(process.execPath, [cli, ...row.args, '--out', dir, ...resume, '--json'], { stdio: ['ignore', log, log] });
  const stop = (): void => { child.kill('SIGTERM'); };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return new Promise((resolve) => child.on('exit', (code, signal) => {
    closeSync(log);
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    resolve(code ?? (signal ? 128 : 1));
  }));
}

/** "mean ± std (n=k)" over seeds, "value (n=1)" for one, "–" for none. */
const seedSummary = (xs: number[], signed = false): string => {
  if (xs.length === 0) return '–';
  const sign = signed && xs[0]! >= 0 ? '+' : '';
  return xs.length > 1 ? `${formatMeanStd(meanStd(xs), { signed })} (n=${xs.length})` : `${sign}${xs[0]!.toFixed(4)} (n=1)`;
};

interface Group { dataset: string; name: string; kind: string; against: string[]; runs: (SeedResult & { h10: number; minutes: number })[] }

/** The finished rows grouped by dataset and id without the seed, each with its runs seed by seed. */
async function groupsOf(rows: Row[]): Promise<Map<string, Group>> {
  const groups = new Map<string, Group>();
  for (const row of rows) {
    const result = resultOf(row);
    if (!result) continue;
    const seeded = /^(.*)-s(\d+)$/.exec(row.id);
    const name = seeded ? seeded[1]! : row.id;
    const key = `${row.dataset}/${name}`;
    const group = groups.get(key) ?? { dataset: row.dataset, name, kind: row.kind, against: row.against ?? [], runs: [] };
    group.runs.push({ seed: seeded ? Number(seeded[2]) : 0, mrr: result.mrr, h10: result['hits@10'], minutes: await minutesOf(row, result) });
    groups.set(key, group);
  }
  return groups;
}

/** The tables of the finished rows: every group (mean ± std over seeds), then each run beside the rows it is compared with, seed by seed. */
async function report(rows: Row[]): Promise<string> {
  const groups = await groupsOf(rows);
  const lines = ['| dataset | row | kind | test MRR | H@10 | minutes per run |', '|---|---|---|---|---|---|'];
  for (const g of groups.values()) {
    const minutes = g.runs.reduce((s, r) => s + r.minutes, 0) / g.runs.length;
    lines.push(`| ${g.dataset} | ${g.name} | ${g.kind} | ${seedSummary(g.runs.map((r) => r.mrr))} | ${seedSummary(g.runs.map((r) => r.h10))} | ${minutes.toFixed(0)} |`);
  }
  lines.push('', '| dataset | run | against | seeds paired | run test MRR | against test MRR | run − against (per seed) |', '|---|---|---|---|---|---|---|');
  for (const g of groups.values()) {
    for (const other of g.against.map((name) => groups.get(`${g.dataset}/${name}`))) {
      if (!other) continue;
      const pairs = pairedGains(g.runs, other.runs);
      if (pairs.length === 0) continue;
      lines.push(`| ${g.dataset} | ${g.name} | ${other.name} | ${pairs.map((p) => p.seed).join(', ')} | ${seedSummary(pairs.map((p) => p.run))} | ${seedSummary(pairs.map((p) => p.against))} | ${seedSummary(pairs.map((p) => p.gain), true)} |`);
    }
  }
  return lines.join('\n');
}

if (list) {
  for (const row of rows) {
    const state = resultOf(row) ? 'done' : existsSync(path.join(runDir(row), 'last.json')) ? 'started' : 'to run';
    process.stdout.write(`[stage ${row.stage}, ${state}] ${commandOf(row)}\n`);
  }
} else if (reportOnly) {
  process.stdout.write(`${await report(rows)}\n`);
} else {
  for (const row of rows) {
    if (resultOf(row)) continue;
    process.stderr.write(`${new Date().toISOString()} ${row.dataset}/${row.id}: ${commandOf(row)}\n`);
    const code = await runRow(row);
    if (code !== 0) {
      process.stderr.write(`${row.dataset}/${row.id} exited with ${code}; see ${runDir(row)}.log\n`);
      process.exit(code);
    }
  }
  process.stdout.write(`${await report(rows)}\n${JSON.stringify({ bench: 'mulde-quality', date: new Date().toISOString(), root, rows: rows.map((r) => ({ id: r.id, dataset: r.dataset, result: resultOf(r) ?? null })) })}\n`);
}
