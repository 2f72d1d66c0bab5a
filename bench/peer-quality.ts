/**
 * `npm run bench:peer-quality`: each shared model trained by kgdistill and by PyKEEN 1.10.1 (../shared/peers/pykeen,
 * `bash install.sh` first) on the same data with the same budget, side by side, filtered test MRR (realistic ties):
 * - matched: d = 32 real numbers per entity, Adam 1e-3, 50 uniform negatives per query, BCE, reciprocal relations,
 *   batch 500, no regulariser, 100 epochs — each engine's own default initialisation;
 * - recommended: each engine's defaults for the model (kgdistill `--loss auto` with its initialisation, PyKEEN
 *   `--loss default`), the same optimiser, negatives and budget.
 * Resumable: every run's JSON is kept in <root>/<dataset>/<model>-<engine>-<setting>-s<seed>.json and skipped when present;
 * a kgdistill run that was interrupted goes on from its last checkpoint (`--resume`), a PyKEEN run from the
 * checkpoint its training loop writes every 5 minutes (bench/peers/pk_checkpointed.py, in <row>-pykeen-run/pykeen).
 * The two engines alternate (A, B) per row in one window. The shared PyKEEN runner has no TransE: bench/peers/pk_transe.py
 * runs PyKEEN's TransE through it.
 *
 * With `--literature`: each shared model's best kgdistill recipe at d = 32 against the literature's d = 32 figure
 * instead (bench/literature-recipes.ts; the rows of the selected datasets and models, their own epochs).
 *
 * Usage: node dist/bench/peer-quality.js [--root runs/peer-quality] [--datasets generated,WN18RR,FB15k-237]
 *        [--models DistMult,ComplEx,RotatE,TransE] [--engines kgdistill,pykeen] [--settings matched,recommended]
 *        [--epochs 100] [--seeds 0 (the seeds themselves, a list: 0,1,2)] [--literature] [--list]
 *   --list      print every row's command (as `kgdistill …` or PyKEEN's runner) and state, run nothing
 *   --engines   run only these engines' rows (the others' kept results still fill the table)
 *   --settings  run only these settings' rows (likewise)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeSyntheticDataset } from '../src/kg/synthetic-graph.js';
import { resolveDataset } from '../src/kg/fetch-dataset.js';
import { findPackageRoot } from '../src/kernels/kernels.js';
import { meanStd } from '../src/general/stats.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';
import { LITERATURE_RECIPES, literatureArgs } from './literature-recipes.js';

exitOnHelp(import.meta.url);

const run = promisify(execFile);
const SETTINGS = ['matched', 'recommended'] as const;
/** The models both engines have (PyKEEN's TransE through bench/peers/pk_transe.py). */
const SHARED_MODELS = ['DistMult', 'ComplEx', 'RotatE', 'TransE'] as const;
const { values: options } = benchArgs('peer-quality', {
  flags: {
    root: { type: 'string', default: 'runs/peer-quality' },
    datasets: { type: 'strings', default: 'generated,WN18RR,FB15k-237' },
    models: { type: 'strings', default: SHARED_MODELS.join(','), choices: SHARED_MODELS },
    engines: { type: 'strings', default: 'kgdistill,pykeen', choices: ['kgdistill', 'pykeen'] },
    settings: { type: 'strings', default: SETTINGS.join(','), choices: SETTINGS },
    epochs: { type: 'integer', default: 100, min: 1 },
    seeds: { type: 'integers', default: '0', min: 0 },
    literature: { type: 'boolean' },
    list: { type: 'boolean' },
  },
});
const root = path.resolve(options.root);
const { datasets, models, engines, settings, epochs, seeds } = options;
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const pykeenPython = path.join(homedir(), '.cache', 'kgdistill-pykeen-venv', 'bin', 'python');
const pykeenScript = path.join(findPackageRoot(), '..', 'shared', 'peers', 'pykeen', 'pk_run.py');
/** PyKEEN's TransE through the shared runner (which has none), with every flag of the runner. */
const pykeenTransE = path.join(findPackageRoot(), 'bench', 'peers', 'pk_transe.py');
/** Runs either runner with PyKEEN's own training-loop checkpoints, so that an interrupted row resumes. */
const pykeenCheckpointed = path.join(findPackageRoot(), 'bench', 'peers', 'pk_checkpointed.py');

/** The dataset directory of a name ('generated': a seeded graph of 2,000 entities made here). */
async function datasetDir(name: string): Promise<string> {
  if (name !== 'generated') return (await resolveDataset(name)).dir;
  const dir = path.join(root, 'generated-graph');
  // --list runs nothing and writes nothing: the graph is made by the first run that needs it
  if (!options.list && !existsSync(path.join(dir, 'train.txt'))) await writeSyntheticDataset(dir, { entities: 2000, seed: 11 });
  return dir;
}

/** kgdistill's command for a row. */
function kgdistillArgs(dir: string, model: string, setting: (typeof SETTINGS)[number], seed: number, out: string): string[] {
  const common = ['train', '--dataset', dir, '--model', model, '--dim', '32', '--optimizer', 'adam', '--lr', '0.001', '--neg', '50',
    '--batch-size', '500', '--epochs', String(epochs), '--valid-every', String(epochs), '--patience', '0', '--seed', String(seed), '--out', out, '--json'];
  return setting === 'matched' ? [...common, '--loss', 'bce'] : common;
}

/** PyKEEN's command for a row (pk_run.py mirrors kgdistill's flags). */
function pykeenArgs(dir: string, model: string, setting: (typeof SETTINGS)[number], seed: number): string[] {
  return [model === 'TransE' ? pykeenTransE : pykeenScript, '--data', dir, '--model', model, '--dim', '32', '--epochs', String(epochs), '--batch', '500', '--lr', '0.001', '--opt', 'adam',
    '--neg', '50', '--loss', setting === 'matched' ? 'bce' : 'default', '--inverse', '1', '--seed', String(seed)];
}

/** What one row runs, given the row's kgdistill output directory. */
type RowCommand = (out: string) => { program: string; args: string[]; env?: NodeJS.ProcessEnv };

/** A kgdistill row: `train` with these arguments, resumed from its checkpoint when an earlier attempt was interrupted. */
const kgdistillCommand = (argsFor: (out: string) => string[]): RowCommand => (out) => ({
  program: process.execPath,
  args: [cli, ...argsFor(out), ...(existsSync(path.join(out, 'last.json')) ? ['--resume'] : [])],
});

/** A PyKEEN row, checkpointed in <row dir>/pykeen (an interrupted row goes on from there). */
const pykeenCommand = (dir: string, model: string, setting: (typeof SETTINGS)[number], seed: number): RowCommand => (out) => ({
  program: pykeenPython, args: [pykeenCheckpointed, path.join(out, 'pykeen'), ...pykeenArgs(dir, model, setting, seed)], env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', PK_RUN: pykeenScript },
});

/** Exits naming what is missing when PyKEEN's venv or the shared runner is not there (before a PyKEEN row runs). */
function requirePykeen(): void {
  for (const [file, what] of [[pykeenPython, 'the PyKEEN venv (run `bash ../shared/peers/pykeen/install.sh`)'], [pykeenScript, 'the shared PyKEEN runner (../shared beside the package)']]) {
    if (!existsSync(file)) {
      process.stderr.write(`bench:peer-quality: ${file} not found: ${what}; or pass --engines kgdistill\n`);
      process.exit(2);
    }
  }
}

/** A command as a user would type it: kgdistill's CLI as `kgdistill`, arguments with spaces quoted. */
function shown(program: string, args: string[]): string {
  const words = program === process.execPath && args[0] === cli ? ['kgdistill', ...args.slice(1)] : [program, ...args];
  return words.map((w) => (/[\s'"]/.test(w) ? `'${w}'` : w)).join(' ');
}

/** The kept test MRR of one row, else runs it when `selected` (its engine and setting asked for) and not `--list`. */
async function row(dataset: string, model: string, engine: 'kgdistill' | 'pykeen', setting: string, seed: number, command: RowCommand, selected: boolean): Promise<number | undefined> {
  const file = path.join(root, dataset, `${model}-${engine}-${setting}-s${seed}.json`);
  const kept = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { mrr: number }).mrr : undefined;
  const out = path.join(root, dataset, `${model}-${setting}-s${seed}${engine === 'pykeen' ? '-pykeen' : ''}-run`);
  if (options.list) {
    const started = existsSync(path.join(out, 'last.json')) || existsSync(path.join(out, 'pykeen'));
    const state = kept !== undefined ? `done, test MRR ${kept.toFixed(4)}` : !selected ? 'not selected (--engines, --settings)' : started ? 'started' : 'to run';
    const { program, args: programArgs } = command(out);
    process.stdout.write(`[${dataset}/${model}-${engine}-${setting}-s${seed}, ${state}] ${shown(program, programArgs)}\n`);
  }
  if (kept !== undefined) return kept;
  if (options.list || !selected) return undefined;
  if (engine === 'pykeen') requirePykeen();
  mkdirSync(path.dirname(file), { recursive: true });
  const started = performance.now();
  const { program, args: programArgs, env } = command(out);
  const { stdout } = await run(program, programArgs, { maxBuffer: 1 << 26, env });
  const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  const mrr = Number(result.mrr ?? (result.test as Record<string, unknown> | undefined)?.mrr);
  writeFileSync(file, JSON.stringify({ dataset, model, engine, setting, seed, epochs: setting === 'literature' ? undefined : epochs, mrr, minutes: (performance.now() - started) / 60000, date: new Date().toISOString(), raw: result }, null, 2));
  process.stderr.write(`${dataset} ${model} ${engine} ${setting} seed ${seed}: test MRR ${mrr.toFixed(4)}\n`);
  return mrr;
}

/** The literature table: each recipe of the selected datasets and models, its MRR over the seeds, the reference. */
async function literatureTable(): Promise<void> {
  const lines = ['| dataset | model | kgdistill, best recipe | literature (d = 32) | kgdistill − literature | source |', '|---|---|---|---|---|---|'];
  const json: Record<string, unknown>[] = [];
  const recipes = LITERATURE_RECIPES.filter((r) => datasets.includes(r.dataset) && (models as readonly string[]).includes(r.model));
  if (recipes.length === 0) {
    process.stderr.write(`bench:peer-quality: no literature recipe for --datasets ${datasets.join(',')} --models ${models.join(',')}; the recipes: ${LITERATURE_RECIPES.map((r) => `${r.dataset} ${r.model}`).join(', ')}\n`);
    process.exit(2);
  }
  for (const recipe of recipes) {
    const dir = await datasetDir(recipe.dataset);
    const got: (number | undefined)[] = [];
    for (const seed of seeds) got.push(await row(recipe.dataset, recipe.model, 'kgdistill', 'literature', seed, kgdistillCommand((out) => literatureArgs(recipe, dir, seed, out)), engines.includes('kgdistill')));
    const gap = meanOf(got) - recipe.reference;
    lines.push(`| ${recipe.dataset} | ${recipe.model} | ${fmt(got)} | ${recipe.reference.toFixed(3)} | ${Number.isNaN(gap) ? '–' : gap.toFixed(3)} | ${recipe.source} |`);
    json.push({ dataset: recipe.dataset, model: recipe.model, reference: recipe.reference, kgdistill: got, flags: recipe.flags });
  }
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify({ bench: 'peer-quality', part: 'literature', date: new Date().toISOString(), seeds, rows: json })}\n`);
}

/** The mean of the finished runs' MRRs (NaN when none has finished). */
const meanOf = (xs: (number | undefined)[]): number => meanStd(xs.filter((x): x is number => x !== undefined)).mean;

/** A table cell: the mean MRR, with its standard deviation and the number of runs when there are several; '–' when none has finished. */
const fmt = (xs: (number | undefined)[]): string => {
  const { mean, std, n } = meanStd(xs.filter((x): x is number => x !== undefined));
  if (n === 0) return '–';
  return n > 1 ? `${mean.toFixed(4)} ± ${std.toFixed(4)} (n=${n})` : mean.toFixed(4);
};

if (options.literature) {
  await literatureTable();
  process.exit(0);
}

const lines = ['| dataset | model | kgdistill matched | PyKEEN matched | kgdistill recommended | PyKEEN recommended | kgdistill − best PyKEEN |', '|---|---|---|---|---|---|---|'];
const json: Record<string, unknown>[] = [];
for (const dataset of datasets) {
  const dir = await datasetDir(dataset);
  for (const model of models) {
    const cells: Record<string, (number | undefined)[]> = {};
    for (const setting of SETTINGS) {
      for (const engine of ['kgdistill', 'pykeen'] as const) {
        cells[`${engine}-${setting}`] = [];
        for (const seed of seeds) {
          const command = engine === 'kgdistill' ? kgdistillCommand((out) => kgdistillArgs(dir, model, setting, seed, out)) : pykeenCommand(dir, model, setting, seed);
          cells[`${engine}-${setting}`]!.push(await row(dataset, model, engine, setting, seed, command, engines.includes(engine) && settings.includes(setting)));
        }
      }
    }
    const bestPykeen = Math.max(...[meanOf(cells['pykeen-matched']!), meanOf(cells['pykeen-recommended']!)].filter((x) => !Number.isNaN(x)));
    const gap = meanOf(cells['kgdistill-recommended']!) - bestPykeen; // NaN or -Infinity → '–' below
    lines.push(`| ${dataset} | ${model} | ${fmt(cells['kgdistill-matched']!)} | ${fmt(cells['pykeen-matched']!)} | ${fmt(cells['kgdistill-recommended']!)} | ${fmt(cells['pykeen-recommended']!)} | ${Number.isFinite(gap) ? gap.toFixed(3) : '–'} |`);
    json.push({ dataset, model, ...Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, v])) });
  }
}
process.stdout.write(`${lines.join('\n')}\n${JSON.stringify({ bench: 'peer-quality', date: new Date().toISOString(), epochs, seeds, rows: json })}\n`);
