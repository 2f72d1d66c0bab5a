/**
 * `npm run bench:general-kg`: the KG ports of FedNTD and CBD on WN18RR (issue 9), with the defaults of
 * `kgdistill kd fedntd|cbd --dataset WN18RR`, so each table's command reproduces its numbers: FedNTD-KGE vs FedE
 * (global filtered test MRR per round, plus a centralised reference — the same loop with one client, seed 0) and
 * CBD-KGE vs instance- and balanced-sampled students (filtered test MRR by answer frequency). Prints markdown
 * tables (mean ± std over seeds, minutes, command) and a JSON line.
 * Usage: node dist/bench/general-kg.js [--dataset WN18RR] [--seeds n] [--only fedntd|cbd]
 */
import { initBackend } from '../src/core/backend.js';
import { runDataFromDataset } from '../src/core/training-data.js';
import { loadDataset } from '../src/kg/dataset.js';
import { runCbdKgeComparison } from '../src/general/kg/long-tail/cbd-kge-run.js';
import { runFedKge, runFedKgeComparison } from '../src/general/kg/federated/fed-kge-run.js';
import type { KgPortSettings } from '../src/general/kg/port.js';
import { fedKgeOptions, fedKgeParamsSchema } from '../src/general/kg/federated/port.js';
import { cbdKgeOptions, cbdKgeParamsSchema } from '../src/general/kg/long-tail/port.js';
import { formatCbdKgeComparison, formatFedKgeComparison, shownRounds } from '../src/cli/kd-port-tables.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const { values: { dataset, seeds: seedCount, only } } = benchArgs('general-kg', {
  flags: { dataset: { type: 'string', default: 'WN18RR' }, seeds: { type: 'integer', default: 3, min: 1 }, only: { type: 'string', choices: ['fedntd', 'cbd'] } },
});
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const run = (name: string): boolean => only === undefined || only === name;

const started = performance.now();
const backend = await initBackend('auto');
const data = runDataFromDataset(await loadDataset(dataset, { unseen: 'keep' }));
const seeds = Array.from({ length: seedCount }, (_, i) => i);
// The CLI's defaults for a KG port (kd.ts): DistMult d=32, Adagrad 0.1, batch 500, 50 negatives, init 0.1.
const flags: KgPortSettings = { model: 'DistMult', dim: 32, initScale: 0.1, batchSize: 500, learningRate: 0.1, optimizer: 'adagrad', negatives: 50 };
const json: Record<string, unknown> = { bench: 'general-kg', date: new Date().toISOString(), backend, dataset, seeds: seedCount };
const lines: string[] = [];

if (run('fedntd')) {
  const options = fedKgeOptions(flags, fedKgeParamsSchema.parse({}));
  const report = await runFedKgeComparison(data, options, seeds, backend, log);
  const t0 = performance.now();
  const central = await runFedKge(data, 'fede', { ...options, clients: 1, seed: 0 }, backend);
  const centralMinutes = (performance.now() - t0) / 60000;
  const rounds = shownRounds(options.rounds);
  lines.push(`### FedNTD-KGE vs FedE (${(report.seconds / 60).toFixed(1)} min; command \`kgdistill kd fedntd --dataset ${dataset} --seeds ${seedCount}\`)`, '',
    formatFedKgeComparison(report), '',
    `Centralised reference (the same loop with one client holding every relation, FedE, seed 0; ${centralMinutes.toFixed(1)} min; ` +
    `\`kgdistill kd fedntd --dataset ${dataset} --seeds 1 --param clients=1\`, FedE row): ` +
    rounds.map((r) => `round ${r} ${central.perRound[r - 1]!.toFixed(4)}`).join(', '), '');
  json.fedntd = { options, perRound: report.perRound, seeds: report.seeds.map((s) => ({ seed: s.seed, fede: s.fede.perRound, fedntd: s.fedntd.perRound })), central: central.perRound, minutes: report.seconds / 60 };
}

if (run('cbd')) {
  const options = cbdKgeOptions(flags, cbdKgeParamsSchema.parse({}));
  const report = await runCbdKgeComparison(data, options, seeds, backend, log);
  const teacherMinutes = report.seeds.reduce((s, r) => s + r.seconds.teachers, 0) / 60;
  const cbdMinutes = report.seeds.reduce((s, r) => s + r.seconds.cbd, 0) / 60;
  lines.push(`### CBD-KGE for long-tail entities (${(report.seconds / 60).toFixed(1)} min: teachers ${teacherMinutes.toFixed(1)}, CBD students ${cbdMinutes.toFixed(1)}; ` +
    `command \`kgdistill kd cbd --dataset ${dataset} --seeds ${seedCount}\`)`, '', formatCbdKgeComparison(report), '');
  json.cbd = { options, summary: report.summary, counts: report.counts, minutes: report.seconds / 60 };
}

json.minutes = (performance.now() - started) / 60000;
lines.push(`total ${(json.minutes as number).toFixed(1)} min, backend ${backend}`);
process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(json)}\n`);
