/**
 * `npm run bench:load-refusal`: how soon a graph too large for a run's kernel memory is refused while it loads
 * (src/pipeline/run-memory.ts entityLimitOf, load-within-memory.ts). It writes a graph whose train split names
 * 2 × `--lines` new entities (line i: `e<2i> r<i mod 3> e<2i+1>`), valid and test one triple of train's entities each,
 * and runs `kgdistill train --dataset <graph> --model DistMult --dim <dim> --epochs 1` of each build in `--builds`
 * (directories holding a `dist/` of kgdistill; default this one), `--rounds` times each, in a child process under
 * /usr/bin/time: wall seconds, peak RSS and where the refusal came. Nothing trains: every build refuses such a graph,
 * after the whole load or at the line past its bound. Prints a markdown table and a JSON line.
 * Usage: node dist/bench/load-refusal.js [--lines 1900000] [--dim 128] [--rounds 2] [--builds <dir>,…] [--root /tmp/kgdistill-load-refusal]
 */
import { execFile } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const options = benchArgs('load-refusal', {
  flags: {
    lines: { type: 'integer', default: 1_900_000, min: 1 },
    dim: { type: 'integer', default: 128, min: 1 },
    rounds: { type: 'integer', default: 2, min: 1 },
    builds: { type: 'strings', default: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..') },
    root: { type: 'string', default: '/tmp/kgdistill-load-refusal' },
  },
}).values;

/** Writes the graph of `lines` train lines of two new entities each into `dir`. */
async function writeGraph(dir: string, lines: number): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const train = createWriteStream(path.join(dir, 'train.txt'));
  const chunk: string[] = [];
  for (let i = 0; i < lines; i++) {
    chunk.push(`e${2 * i}\tr${i % 3}\te${2 * i + 1}\n`);
    if (chunk.length === 10_000 || i === lines - 1) {
      if (!train.write(chunk.join(''))) await new Promise<void>((resolve) => train.once('drain', () => resolve()));
      chunk.length = 0;
    }
  }
  await new Promise<void>((resolve, reject) => train.end((error?: Error | null) => (error ? reject(error) : resolve())));
  for (const split of ['valid', 'test']) writeFileSync(path.join(dir, `${split}.txt`), 'e0\tr0\te1\n');
}

/** One refused run of `build`: wall seconds and peak RSS from /usr/bin/time, and the refusal's first words. */
async function refusedRun(build: string, graph: string, out: string): Promise<{ seconds: number; peakMb: number; refusal: string }> {
  const cli = path.join(build, 'dist', 'src', 'cli', 'main.js');
  const args = ['-f', 'TIME %e %M', process.execPath, cli, 'train', '--dataset', graph, '--model', 'DistMult', '--dim', String(options.dim), '--epochs', '1', '--out', out];
  const stderr = await promisify(execFile)('/usr/bin/time', args, { maxBuffer: 1 << 24 }).then(
    () => { throw new Error(`bench:load-refusal: ${build} trained the graph instead of refusing it: raise --lines`); },
    (error: { stderr?: string }) => error.stderr ?? '');
  const timing = /TIME ([\d.]+) (\d+)/.exec(stderr);
  const refusal = stderr.split('\n').find((line) => line.startsWith('kgdistill: '));
  if (!timing || !refusal) throw new Error(`bench:load-refusal: ${build}: no refusal or timing in its output:\n${stderr.slice(-2000)}`);
  const where = /^kgdistill: (\S+:\d+): /.exec(refusal)?.[1];
  return { seconds: Number(timing[1]), peakMb: Number(timing[2]) / 1024, refusal: where ? `at ${path.basename(where)}` : 'after the whole load' };
}

const graph = path.join(options.root, 'graph');
rmSync(options.root, { recursive: true, force: true });
await writeGraph(graph, options.lines);
const rows: { build: string; round: number; seconds: number; peakMb: number; refusal: string }[] = [];
for (const build of options.builds) {
  for (let round = 1; round <= options.rounds; round++) rows.push({ build, round, ...(await refusedRun(path.resolve(build), graph, path.join(options.root, 'run'))) });
}
process.stdout.write(`graph: ${(2 * options.lines).toLocaleString('en-US')} entities in ${options.lines.toLocaleString('en-US')} train lines; DistMult --dim ${options.dim}\n\n`);
process.stdout.write('| build | round | refused | wall (s) | peak RSS (MB) |\n|---|---:|---|---:|---:|\n');
for (const row of rows) process.stdout.write(`| ${row.build} | ${row.round} | ${row.refusal} | ${row.seconds.toFixed(2)} | ${row.peakMb.toFixed(0)} |\n`);
process.stdout.write(`${JSON.stringify({ bench: 'load-refusal', lines: options.lines, dim: options.dim, rows })}\n`);
rmSync(options.root, { recursive: true, force: true });
