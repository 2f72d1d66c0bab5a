/**
 * `npm run bench:cli-start`: how long the command line takes to answer what needs no training — `--version`,
 * `train --help`, `serve --help`, a usage error — and how long `import('kgdistill')` takes, for each build in
 * `--builds` (directories holding a `dist/` of kgdistill; default this one). Each case runs `--rounds` times in a new
 * process, the builds interleaved round by round (the machine's load falls on all alike); the median wall time is
 * reported. Prints a markdown table and a JSON line.
 * Usage: node dist/bench/cli-start.js [--rounds 9] [--builds <dir>,…]
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const options = benchArgs('cli-start', {
  flags: {
    rounds: { type: 'integer', default: 9, min: 1 },
    builds: { type: 'strings', default: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..') },
  },
}).values;

/** Each case: its label and the node arguments that run it in `build`; `exit` is the exit code it must end with. */
const CASES: { label: string; args: (build: string) => string[]; exit: number }[] = [
  { label: 'kgdistill --version', args: (b) => [cliOf(b), '--version'], exit: 0 },
  { label: 'kgdistill train --help', args: (b) => [cliOf(b), 'train', '--help'], exit: 0 },
  { label: 'kgdistill serve --help', args: (b) => [cliOf(b), 'serve', '--help'], exit: 0 },
  { label: 'a usage error (train --norm 1 --model DistMult)', args: (b) => [cliOf(b), 'train', '--dataset', 'g', '--model', 'DistMult', '--norm', '1', '--out', 'x'], exit: 2 },
  { label: "import('kgdistill')", args: (b) => ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(path.join(b, 'dist', 'src', 'index.js')).href)})`], exit: 0 },
];

/** The command line's entry point in `build`. */
function cliOf(build: string): string {
  return path.join(build, 'dist', 'src', 'cli', 'main.js');
}

/** Wall milliseconds of one run of `args`, which must exit with `exit`. */
async function wallMs(args: string[], exit: number): Promise<number> {
  const started = performance.now();
  const code = await promisify(execFile)(process.execPath, args, { maxBuffer: 1 << 24 }).then(() => 0, (error: { code?: number }) => error.code ?? -1);
  const ms = performance.now() - started;
  if (code !== exit) throw new Error(`bench:cli-start: node ${args.join(' ')} exited ${code}, not ${exit}`);
  return ms;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const times = new Map<string, number[]>(); // `${case} ${build}` → wall ms of each round
for (let round = 0; round < options.rounds; round++) {
  for (const entry of CASES) {
    for (const build of options.builds) {
      const key = `${entry.label} ${build}`;
      times.set(key, [...(times.get(key) ?? []), await wallMs(entry.args(build), entry.exit)]);
    }
  }
}
const rows = CASES.map((entry) => ({ case: entry.label, ms: options.builds.map((build) => Math.round(median(times.get(`${entry.label} ${build}`)!))) }));
process.stdout.write(`| case | ${options.builds.map((b) => path.basename(b)).join(' | ')} |\n|---|${options.builds.map(() => '---:').join('|')}|\n`);
for (const row of rows) process.stdout.write(`| ${row.case} | ${row.ms.map((ms) => `${ms} ms`).join(' | ')} |\n`);
process.stdout.write(`${JSON.stringify({ bench: 'cli-start', rounds: options.rounds, builds: options.builds, rows })}\n`);
