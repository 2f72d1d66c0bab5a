/**
 * `npm run bench:faults`: what kgdistill does when things go wrong (issue 16), as figures a user can rerun.
 * 1. Kills: `kgdistill train` is SIGKILLed at `--kills` moments spread over its run (before, between and inside
 *    checkpoint writes), then resumed to its end; counted: kills that hit a running process, runs resumable, runs
 *    reaching the uninterrupted run's test MRR bit for bit.
 * 2. Damaged run files: each class of damage to a copy of a finished run must be a clear error (naming the file) from
 *    `eval` or `--resume`, never a load: counted classes tried / rejected.
 * 3. The service (fuzzed requests, SIGTERM drain) when bench/service-faults is built: its JSON is folded in.
 * Prints a markdown table and one JSON line. Usage: node dist/bench/faults.js [--kills 100] [--skip-service]
 *   [--service-run <run dir>] (the run the service part serves; default runs/wn18rr-roth-d32-service)
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeSyntheticDataset } from '../src/kg/synthetic-graph.js';
import { killAndResume, resultMrr, runChild, type CliCommand, type KillTrial } from './kill-harness.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';
import { DEFAULT_SERVICE_RUN, requireServiceRun } from './service-process.js';

exitOnHelp(import.meta.url);

const { values: options } = benchArgs('faults', {
  flags: {
    kills: { type: 'integer', default: 100, min: 0 },
    'service-run': { type: 'string', default: DEFAULT_SERVICE_RUN },
    'skip-service': { type: 'boolean' },
  },
});
const { kills, 'service-run': serviceRun } = options;
const cli: CliCommand = { program: process.execPath, args: [fileURLToPath(new URL('../src/cli/main.js', import.meta.url))] };
const log = (line: string): void => { process.stderr.write(`${line}\n`); };
const serviceBench = fileURLToPath(new URL('./service-faults.js', import.meta.url));
const withService = !options['skip-service'] && existsSync(serviceBench);
// checked before the kills (which take an hour) and before anything is written: the service part needs a trained run
if (withService) requireServiceRun('faults', serviceRun, '--service-run', ', or --skip-service');
const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-faults-'));

const graph = await writeSyntheticDataset(path.join(tmp, 'graph'), { entities: 2000, seed: 4 });
const trainArgs = ['--dataset', graph, '--model', 'RotH', '--dim', '32', '--epochs', '25', '--valid-every', '1', '--batch-size', '256', '--lr', '0.05', '--seed', '3'];
const started = performance.now();
const straight = await runChild(cli, ['train', ...trainArgs, '--out', path.join(tmp, 'straight'), '--json']);
const fullMs = performance.now() - started;
if (straight.code !== 0) throw new Error(`the uninterrupted run failed: ${straight.stderr}`);
const reference = resultMrr(path.join(tmp, 'straight'))!;
log(`uninterrupted run: ${(fullMs / 1000).toFixed(1)} s, test MRR ${reference}`);

// 1. kills at evenly spread moments (a deterministic sweep over 2%–98% of the run's wall time)
const trials: KillTrial[] = [];
for (let i = 0; i < kills; i++) {
  const at = (0.02 + (0.96 * (i + 0.5)) / kills) * fullMs;
  const trial = await killAndResume(cli, trainArgs, path.join(tmp, 'killed'), at, reference);
  trials.push(trial);
  if (!trial.matches) log(`kill at ${at.toFixed(0)} ms: ${JSON.stringify(trial)}`);
  if ((i + 1) % 10 === 0) log(`${i + 1}/${kills} kills`);
}
const hits = trials.filter((t) => t.hit);

// 2. damaged run files
type Header = { binary: { file: string; bytes: number; sha256: string }; vocab: { entities: string[] }; arrays: { name: string; offset: number; length: number }[]; version: number; format: string };
const source = path.join(tmp, 'straight');
const readHeader = (dir: string, stem = 'best'): Header => JSON.parse(readFileSync(path.join(dir, `${stem}.json`), 'utf8')) as Header;
const rewrite = (dir: string, stem: string, edit: (h: Header, f: Float32Array) => void, keepChecksum = true): void => {
  const header = readHeader(dir, stem);
  const bytes = readFileSync(path.join(dir, header.binary.file));
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  edit(header, floats);
  const out = Buffer.from(floats.buffer);
  writeFileSync(path.join(dir, header.binary.file), out);
  if (keepChecksum) header.binary.sha256 = createHash('sha256').update(out).digest('hex');
  writeFileSync(path.join(dir, `${stem}.json`), JSON.stringify(header));
};
const at = (h: Header, name: string): number => h.arrays.find((a) => a.name === name)!.offset;
const damages: { name: string; command: 'eval' | 'resume'; damage: (dir: string) => void }[] = [
  { name: 'binary truncated', command: 'eval', damage: (d) => { const f = path.join(d, readHeader(d).binary.file); writeFileSync(f, readFileSync(f).subarray(0, 64)); } },
  { name: 'binary byte flipped (checksum)', command: 'eval', damage: (d) => { const f = path.join(d, readHeader(d).binary.file); const b = readFileSync(f); b[100] ^= 0xff; writeFileSync(f, b); } },
  { name: 'binary missing', command: 'eval', damage: (d) => rmSync(path.join(d, readHeader(d).binary.file)) },
  { name: 'header truncated', command: 'eval', damage: (d) => { const f = path.join(d, 'best.json'); writeFileSync(f, readFileSync(f, 'utf8').slice(0, 200)); } },
  { name: 'header of another format', command: 'eval', damage: (d) => writeFileSync(path.join(d, 'best.json'), '{"format":"pytorch","version":1}') },
  { name: 'header of a future version', command: 'eval', damage: (d) => rewrite(d, 'best', (h) => { h.version = 99; }) },
  { name: 'NaN embedding (checksum kept)', command: 'eval', damage: (d) => rewrite(d, 'best', (h, f) => { f[at(h, 'param:entity') + 5] = Number.NaN; }) },
  { name: 'infinite embedding (checksum kept)', command: 'eval', damage: (d) => rewrite(d, 'best', (h, f) => { f[at(h, 'param:entity') + 9] = Number.NEGATIVE_INFINITY; }) },
  { name: 'vocabulary shorter than the table', command: 'eval', damage: (d) => rewrite(d, 'best', (h) => { h.vocab.entities.pop(); }) },
  { name: 'vocabulary naming an entity twice', command: 'eval', damage: (d) => rewrite(d, 'best', (h) => { h.vocab.entities[1] = h.vocab.entities[0]!; }) },
  { name: 'binary path outside the run', command: 'eval', damage: (d) => rewrite(d, 'best', (h) => { h.binary.file = '../../../../../etc/hostname'; }) },
  { name: 'array outside the binary', command: 'eval', damage: (d) => rewrite(d, 'best', (h) => { h.arrays[0]!.offset = 1e9; }) },
  { name: 'NaN optimiser state (resume)', command: 'resume', damage: (d) => rewrite(d, 'last', (h, f) => { f[at(h, h.arrays.find((a) => a.name.startsWith('opt:'))!.name) + 3] = Number.NaN; }) },
  { name: 'metrics.jsonl damaged inside', command: 'resume', damage: (d) => { const f = path.join(d, 'metrics.jsonl'); const l = readFileSync(f, 'utf8').split('\n'); l[1] = '{broken'; writeFileSync(f, l.join('\n')); } },
  { name: 'config.json not a run configuration', command: 'resume', damage: (d) => writeFileSync(path.join(d, 'config.json'), '{"format":"kgdistill-config","version":1,"command":"train"}') },
];
const corruption: { name: string; rejected: boolean; message: string }[] = [];
for (const [i, { name, command, damage }] of damages.entries()) {
  const dir = path.join(tmp, `damaged-${i}`);
  cpSync(source, dir, { recursive: true });
  damage(dir);
  const outcome = command === 'eval'
    ? await runChild(cli, ['eval', '--checkpoint', dir, '--json'])
    : await runChild(cli, ['train', '--out', dir, '--resume', '--epochs', '12', '--json']);
  const message = outcome.stderr.trim().split('\n').at(-1) ?? '';
  corruption.push({ name, rejected: outcome.code !== 0 && /^kgdistill: /.test(message), message });
}

// 3. the service (a failure there is reported; the figures above are still printed)
let service: Record<string, unknown> | undefined;
let serviceFailed = false;
if (withService) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [serviceBench, '--run', serviceRun], { maxBuffer: 1 << 26 });
    service = JSON.parse(stdout.split('\n').find((line) => line.startsWith('{'))!) as Record<string, unknown>;
  } catch (error) {
    serviceFailed = true;
    log(`bench:faults: the service part failed: ${(error as Error).message.split('\n').slice(0, 6).join('\n')}`);
  }
}

const rows = [
  ['kills (SIGKILL at spread moments)', `${kills} tried, ${hits.length} hit a running process (${hits.filter((t) => !t.checkpointAfterKill).length} before the first checkpoint)`],
  ['runs resumable after a kill', `${trials.filter((t) => t.resumed).length} / ${kills}`],
  ['runs reaching the uninterrupted test MRR exactly', `${trials.filter((t) => t.matches).length} / ${kills}`],
  ['damage classes rejected with a clear error', `${corruption.filter((c) => c.rejected).length} / ${corruption.length}`],
];
const fuzz = service?.fuzz as { requests: number; status5xx: number; noAnswer: number; crashes: number } | undefined;
const drain = service?.drain as { sent: number; inFlightAtSigterm: number; answered: number; exitCodes: number[] } | undefined;
if (fuzz && drain) {
  rows.push(['service: fuzzed requests', `${fuzz.requests} sent, ${fuzz.status5xx} 5xx, ${fuzz.noAnswer} closed without an answer, ${fuzz.crashes} crashes`],
    ['service: drain on SIGTERM', `${drain.inFlightAtSigterm} requests in flight, ${drain.answered} answered of ${drain.sent} sent; exit codes ${drain.exitCodes.join(', ')}`]);
}
process.stdout.write(`| fault | outcome |\n|---|---|\n${rows.map(([a, b]) => `| ${a} | ${b} |`).join('\n')}\n\n| damage | rejected | message |\n|---|---|---|\n${corruption.map((c) => `| ${c.name} | ${c.rejected ? 'yes' : '**no**'} | ${c.message.replace(/\|/g, '\\|').replace(tmp, '…')} |`).join('\n')}\n`);
process.stdout.write(`${JSON.stringify({ bench: 'faults', date: new Date().toISOString(), uninterruptedSeconds: fullMs / 1000, kills: { tried: kills, hit: hits.length, resumable: trials.filter((t) => t.resumed).length, matching: trials.filter((t) => t.matches).length }, corruption: { tried: corruption.length, rejected: corruption.filter((c) => c.rejected).length, classes: corruption }, service })}\n`);
rmSync(tmp, { recursive: true, force: true });
if (serviceFailed) process.exitCode = 1;
