/**
 * `npm run bench:load`: time to load a dataset (default FB15k-237) with all splits (`unseen: 'keep'`), its
 * vocabularies and the known-true FilterIndex, and the peak RSS. Each measurement runs in a fresh child process and
 * hashes every file listed in the dataset's SHA256SUMS (as every load does); "first" and "second" are two such
 * loads. (The OS page cache is warm after the first: this measures our work, not the disk.) Targets: ≤ 1.5 s, ≤ 300 MB.
 *
 * Usage: node dist/bench/load.js [dataset]   (prints a table, then one JSON line)
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { loadDataset } from '../src/kg/dataset.js';
import { FilterIndex } from '../src/kg/filter-index.js';
import { formatTable } from '../src/cli/format-table.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const TARGET_MS = 1500;
const TARGET_RSS_MB = 300;
const PHASES = ['first', 'second'] as const;
type Phase = (typeof PHASES)[number];

/** What one child process measured. */
interface RunResult {
  phase: Phase;
  loadMs: number;
  indexMs: number;
  totalMs: number;
  processWallMs: number;
  maxRssMB: number;
  manifest: { verified: boolean };
  entities: number;
  relations: number;
  triples: number;
}

/** Child: load + index once, print the measurement as JSON. */
async function child(phase: Phase, dataset: string): Promise<void> {
  const start = performance.now();
  const loaded = await loadDataset(dataset, { unseen: 'keep' });
  const loadedAt = performance.now();
  const index = FilterIndex.build(loaded.entities.size, loaded.relations.size, [loaded.train, loaded.valid, loaded.test]);
  const end = performance.now();
  const result: Omit<RunResult, 'processWallMs'> = {
    phase,
    loadMs: loadedAt - start,
    indexMs: end - loadedAt,
    totalMs: end - start,
    maxRssMB: process.resourceUsage().maxRSS / 1024, // maxRSS is in kilobytes
    manifest: loaded.report.manifest,
    entities: loaded.entities.size,
    relations: loaded.relations.size,
    triples: (loaded.train.length + loaded.valid.length + loaded.test.length) / 3,
  };
  if (index.numAnswers === 0) throw new Error('empty filter index');
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Parent: two children, one after the other; prints the table and a JSON line. */
async function main(dataset: string): Promise<void> {
  const script = process.argv[1]!;
  const runs: RunResult[] = [];
  for (const phase of PHASES) {
    const started = performance.now();
    const { stdout } = await promisify(execFile)(process.execPath, [...process.execArgv, script, '--child', phase, dataset]);
    const processWallMs = performance.now() - started;
    runs.push({ ...(JSON.parse(stdout.trim().split('\n').at(-1)!) as Omit<RunResult, 'processWallMs'>), processWallMs });
  }
  const round = (x: number): number => Math.round(x);
  process.stdout.write(
    `load benchmark: ${dataset}, ${runs[0]!.entities.toLocaleString('en-US')} entities, ${runs[0]!.relations} relations, ` +
      `${runs[0]!.triples.toLocaleString('en-US')} triples (all splits, vocabularies, FilterIndex)\n\n`,
  );
  process.stdout.write(
    formatTable(
      runs.map((run) => [
        `${run.phase} (manifest ${run.manifest.verified ? 'hashed' : 'absent'})`,
        round(run.loadMs),
        round(run.indexMs),
        round(run.totalMs),
        round(run.processWallMs),
        round(run.maxRssMB),
      ]),
      { header: ['run', 'load ms', 'index ms', 'total ms', 'process wall ms', 'peak RSS MB'] },
    ) + '\n\n',
  );
  const pass = runs.every((run) => run.totalMs <= TARGET_MS && run.maxRssMB <= TARGET_RSS_MB);
  process.stdout.write(`targets: total ≤ ${TARGET_MS} ms and peak RSS ≤ ${TARGET_RSS_MB} MB: ${pass ? 'met' : 'NOT met'}\n`);
  const summary = {
    bench: 'load',
    dataset,
    node: process.version,
    cpus: os.cpus().length,
    targets: { totalMs: TARGET_MS, rssMB: TARGET_RSS_MB },
    pass,
    runs: runs.map((run) => ({ ...run, loadMs: round(run.loadMs), indexMs: round(run.indexMs), totalMs: round(run.totalMs), processWallMs: round(run.processWallMs), maxRssMB: round(run.maxRssMB) })),
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

const args = process.argv.slice(2);
if (args[0] === '--child') await child(args[1] === 'second' ? 'second' : 'first', args[2] ?? 'FB15k-237');
else await main(benchArgs('load', { flags: {}, positionals: { usage: '[dataset]', max: 1 } }).positionals[0] ?? 'FB15k-237');
