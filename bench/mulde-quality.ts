/**
 * `npm run bench:mulde-quality`: the MulDE quality table of docs/RESULTS.md from scratch — teachers, single-model
 * reproductions, twins and distilled students, each one `kgdistill train|distill` command (one row of the plan).
 * Resumable: a row whose run directory holds `result.json` is done; one holding `last.json` is continued with
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
import { exitOnHelp } from './help.js';
import { pairedGains, type SeedResult } from './paired-gain.js';

exitOnHelp(import.meta.url);

/**
 * One row of the plan. `against` names the rows (ids without the seed) it is compared with seed by seed: a student's
 * twin (the same run without teachers) first; an ablation variant also the full method.
 */
interface Row { id: string; stage: number; dataset: string; kind: 'teacher' | 'single' | 'twin' | 'student' | 'ablation'; args: string[]; against?: string[] }

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = path.resolve(flag('--root') ?? 'runs/quality');
const only = flag('--only') !== undefined ? new RegExp(flag('--only')!) : undefined;
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const SEEDS = [0, 1, 2];
const TEACHER_MODELS = ['RotH', 'RefH', 'AttH', 'MuRP'];

const runDir = (row: Row): string => path.join(root, row.dataset, row.id);
/** The students' and twins' shared recipe, as the authors' (Adam, 255 negatives), ≤ 150 epochs with early stopping. */
const paperLikeRecipe = (dataset: string, dim: number, epochs = 150): string[] => ['--dataset', dataset, '--dim', String(dim), '--optimizer', 'adam',
  '--lr', '0.001', '--neg', '255', '--epochs', String(epochs), '--valid-every', '5', '--patience', '10', '--unseen', 'keep'];
const teacherDirs = (dataset: string): string => TEACHER_MODELS.map((m) => path.join(root, dataset, `teacher-${m.toLowerCase()}-d64`)).join(',');
/** A RotH student of the four d = 64 teachers: λ (--kd-weight), then the recipe it shares with its twin (seed included). */
const studentArgs = (dataset: string, kdWeight: string, recipe: string[], topK = '500', refreshEvery = '5'): string[] => ['distill', '--student', 'RotH',
  '--teachers', teacherDirs(dataset), '--top-k', topK, '--kd-weight', kdWeight, '--refresh-every', refreshEvery, ...recipe];

/** The plan: every row of the quality tables, in the order they are run. */
function plan(): Row[] {
  const rows: Row[] = [];
  const wn = 'WN18RR';
  const fb = 'FB15k-237';
  // Teachers: d = 64, the KGEmb recipe of each dataset (Chami et al. 2020), trained to convergence.
  const wnTeacher = ['--optimizer', 'adam', '--lr', '0.001', '--neg', '50', '--double-neg', '--epochs', '300', '--valid-every', '5', '--patience', '15'];
  const fbTeacher = ['--optimizer', 'adagrad', '--lr', '0.05', '--neg', '50', '--epochs', '250', '--valid-every', '5', '--patience', '10'];
  for (const [dataset, recipe, stage] of [[wn, wnTeacher, 1], [fb, fbTeacher, 3]] as const) {
    for (const model of TEACHER_MODELS) {
      rows.push({ id: `teacher-${model.toLowerCase()}-d64`, stage, dataset, kind: 'teacher', args: ['train', '--dataset', dataset, '--model', model, '--dim', '64', ...recipe, '--unseen', 'keep', '--seed', '0'] });
    }
  }
  // The single d = 32 models of Chami et al. (RotH on WN18RR 0.472, AttH on FB15k-237 0.324), their recipes.
  rows.push({ id: 'single-roth-d32', stage: 2, dataset: wn, kind: 'single', args: ['train', '--dataset', wn, '--model', 'RotH', '--dim', '32', ...wnTeacher, '--unseen', 'keep', '--seed', '0'] });
  rows.push({ id: 'single-atth-d32', stage: 4, dataset: fb, kind: 'single', args: ['train', '--dataset', fb, '--model', 'AttH', '--dim', '32', ...fbTeacher, '--unseen', 'keep', '--seed', '0'] });
  // KGEmb's FB15k-237 script (50 negatives a query) stops at 0.3145; the same with more negatives (2026-12-05).
  for (const neg of ['255', '500']) {
    const moreNegatives = fbTeacher.map((value, i) => (fbTeacher[i - 1] === '--neg' ? neg : value));
    rows.push({ id: `single-atth-neg${neg}-d32`, stage: 4, dataset: fb, kind: 'single', args: ['train', '--dataset', fb, '--model', 'AttH', '--dim', '32', ...moreNegatives, '--unseen', 'keep', '--seed', '0'] });
  }
  // Students and their twins: the same hard loss, optimiser, seed and epochs; the student adds the teachers.
  const studentRuns: [string, number, string, number, number][] = [[wn, 32, '0.01', 2, 5], [wn, 16, '0.01', 2, 5], [fb, 32, '0.5', 4, 6]];
  for (const [dataset, dim, kdWeight, firstStage, laterStage] of studentRuns) {
    const common = paperLikeRecipe(dataset, dim);
    for (const seed of SEEDS) {
      const stage = seed === 0 ? firstStage : laterStage;
      rows.push({ id: `twin-roth-d${dim}-s${seed}`, stage, dataset, kind: 'twin', args: ['train', '--model', 'RotH', ...common, '--seed', String(seed)] });
      rows.push({ id: `student-roth-d${dim}-s${seed}`, stage, dataset, kind: 'student', against: [`twin-roth-d${dim}`], args: studentArgs(dataset, kdWeight, [...common, '--seed', String(seed)]) });
    }
  }
  // Variants of the WN18RR d = 32 student on the paper-like recipe, one knob each; their twin is twin-roth-d32.
  // Columns: name, λ (--kd-weight), --refresh-every, K (--top-k).
  const wnVariants: [string, string, string, string][] = [['kd0.1', '0.1', '5', '500'], ['kd0.05', '0.05', '5', '500'], ['r1', '0.01', '1', '500'],
    ['kd0.5', '0.5', '5', '500'], ['kd0.1-k1000', '0.1', '5', '1000']];
  for (const [name, kdWeight, refresh, topK] of wnVariants) {
    for (const seed of SEEDS) {
      rows.push({ id: `student-${name}-roth-d32-s${seed}`, stage: seed === 0 ? 2 : 5, dataset: wn, kind: 'student', against: ['twin-roth-d32'],
        args: studentArgs(wn, kdWeight, [...paperLikeRecipe(wn, 32), '--seed', String(seed)], topK, refresh) });
    }
  }
  // The d = 16 student and twin were both still improving at 150 epochs: the same rows with up to 300.
  for (const seed of SEEDS) {
    const long = paperLikeRecipe(wn, 16, 300);
    rows.push({ id: `twin-e300-roth-d16-s${seed}`, stage: seed === 0 ? 2 : 5, dataset: wn, kind: 'twin', args: ['train', '--model', 'RotH', ...long, '--seed', String(seed)] });
    rows.push({ id: `student-e300-roth-d16-s${seed}`, stage: seed === 0 ? 2 : 5, dataset: wn, kind: 'student', against: ['twin-e300-roth-d16'], args: studentArgs(wn, '0.01', [...long, '--seed', String(seed)]) });
  }
  // Students on the recipe of the best single RotH (Adam 1e-3, 50 negatives a query, double negatives, up to 300
  // epochs), whose twin is that single model, seed by seed. student-dn: the Junior on single negatives (distill ignored
  // --double-neg until 2026-12-04, then refused it); student-dneg: the twin's recipe exactly, double negatives included
  // (distill's --double-neg since 2026-12-04, 23:30 UTC), with the best λ of the paper-like recipe. The same recipe at
  // d = 16 (2026-12-05): the twin and the double-negative student.
  for (const dim of [32, 16]) {
    for (const seed of SEEDS) {
      const single = ['--dataset', wn, '--dim', String(dim), ...wnTeacher, '--unseen', 'keep', '--seed', String(seed)];
      const twin = `twin-dn-roth-d${dim}`;
      rows.push({ id: `${twin}-s${seed}`, stage: seed === 0 && dim === 32 ? 2 : 5, dataset: wn, kind: 'twin', args: ['train', '--model', 'RotH', ...single] });
      if (dim === 32) rows.push({ id: `student-dn-roth-d32-s${seed}`, stage: seed === 0 ? 2 : 5, dataset: wn, kind: 'student', against: [twin], args: studentArgs(wn, '0.01', single.filter((flag) => flag !== '--double-neg')) });
      rows.push({ id: `student-dneg-roth-d${dim}-s${seed}`, stage: 5, dataset: wn, kind: 'student', against: [twin], args: studentArgs(wn, '0.1', single) });
    }
  }
  // The ablation (WN18RR, RotH d = 8, 30 epochs), three seeds.
  const ablation = ['--dataset', wn, '--dim', '8', '--optimizer', 'adam', '--lr', '0.001', '--neg', '255', '--epochs', '30', '--valid-every', '5', '--patience', '0', '--unseen', 'keep'];
  const variants: [string, string[]][] = [
    ['full-k128', ['--top-k', '128']], ['no-scaling', ['--top-k', '128', '--no-scaling']], ['no-attention', ['--top-k', '128', '--no-attention']],
    ['one-teacher', ['--top-k', '128', '--teachers', path.join(root, wn, 'teacher-roth-d64')]], ['k8', ['--top-k', '8']], ['k32', ['--top-k', '32']], ['k500', ['--top-k', '500']],
  ];
  for (const seed of SEEDS) {
    rows.push({ id: `abl-twin-s${seed}`, stage: 7, dataset: wn, kind: 'ablation', args: ['train', '--model', 'RotH', ...ablation, '--seed', String(seed)] });
    for (const [name, extra] of variants) {
      const teachers = extra.includes('--teachers') ? [] : ['--teachers', teacherDirs(wn)];
      rows.push({ id: `abl-${name}-s${seed}`, stage: 7, dataset: wn, kind: 'ablation', against: name === 'full-k128' ? ['abl-twin'] : ['abl-twin', 'abl-full-k128'], args: ['distill', '--student', 'RotH', ...teachers, '--kd-weight', '0.01', '--refresh-every', '5', ...extra, ...ablation, '--seed', String(seed)] });
    }
  }
  return rows.sort((a, b) => a.stage - b.stage);
}

type Result = { mrr: number; 'hits@1': number; 'hits@3': number; 'hits@10': number; seconds: number; epochs: number; bestEpoch: number };
const resultOf = (row: Row): Result | undefined => {
  const file = path.join(runDir(row), 'result.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Result) : undefined;
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

const rows = plan().filter((row) => only === undefined || only.test(row.id) || only.test(`${row.dataset}/${row.id}`));
if (args.includes('--list')) {
  for (const row of rows) {
    const state = resultOf(row) ? 'done' : existsSync(path.join(runDir(row), 'last.json')) ? 'started' : 'to run';
    process.stdout.write(`[stage ${row.stage}, ${state}] ${commandOf(row)}\n`);
  }
} else if (args.includes('--report')) {
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
