/**
 * `npm run bench:general`: the general distillation module's table. Every method against its baseline on the
 * digits (3 seeds, the method's default architecture and epochs, test accuracy mean ± std and the paired
 * difference), then the KG port of DML and DoGo (two DistMult d=32 students vs one on WN18RR, 10 epochs, 1 seed,
 * filtered test MRR). Prints markdown tables with the exact command of each row and a final JSON line.
 * Usage: node dist/bench/general.js [--methods kd,dml,…] [--seeds n] [--kg-epochs n] [--kg-dataset name] [--no-kg]
 */
import { initBackend } from '../src/core/backend.js';
import { loadDataset } from '../src/kg/dataset.js';
import { runDataFromDataset } from '../src/core/training-data.js';
import { methodNames, compareOnDigits, prepareKgPort } from '../src/general/method-registry.js';
import type { ComparisonReport } from '../src/general/images/runner.js';
import type { PeerComparison } from '../src/general/kg/mutual/peer-run.js';
import type { KgPortSettings } from '../src/general/kg/port.js';
import { formatMeanStd } from '../src/cli/kd-tables.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';
import { resolveDatasetDir } from '../src/kg/resolve-dataset.js';

exitOnHelp(import.meta.url);

const { values: options } = benchArgs('general', {
  flags: {
    methods: { type: 'strings', default: methodNames().join(','), choices: methodNames() },
    seeds: { type: 'integer', default: 3, min: 1 },
    'kg-epochs': { type: 'integer', default: 10, min: 1 },
    'kg-dataset': { type: 'string', default: 'WN18RR' },
    'no-kg': { type: 'boolean' },
  },
});
const { methods, seeds: seedCount, 'kg-epochs': kgEpochs, 'kg-dataset': kgDataset } = options;
const withKg = !options['no-kg'];
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

// the graph is looked up before the digits part (12 minutes with the defaults), whose tables a bad name would lose
if (withKg) resolveDatasetDir(kgDataset);
const started = performance.now();
const backend = await initBackend('auto');
log(`backend ${backend}`);
const seeds = Array.from({ length: seedCount }, (_, i) => i);
const reports: ComparisonReport[] = [];
for (const name of methods) {
  log(`== ${name}`);
  reports.push(await compareOnDigits(name, { seeds }, log));
}

const kgReports: PeerComparison[] = [];
if (withKg) {
  const data = runDataFromDataset(await loadDataset(kgDataset, { unseen: 'keep' }));
  // The CLI's defaults for a KG port (kd.ts), with --epochs kgEpochs.
  const settings: KgPortSettings = { model: 'DistMult', dim: 32, initScale: 0.1, epochs: kgEpochs, batchSize: 500, learningRate: 0.1, optimizer: 'adagrad', negatives: 50 };
  for (const mode of ['dml', 'dogo'] as const) {
    log(`== KG port: ${mode}`);
    const report = await prepareKgPort(mode, {})(data, settings, [0], backend, log);
    if (report.kind === 'peers') kgReports.push(report);
  }
}

const pct = (stats: { mean: number; std: number; n: number }, signed = false): string => formatMeanStd(stats, { percent: true, signed });
const lines: string[] = [];
lines.push(`### Digits: each method vs its baseline (${seedCount} seeds; test accuracy %, mean ± std over seeds)`, '');
lines.push('| method | baseline | arch, epochs | baseline | method | Δ (paired) | also measured | minutes | command |');
lines.push('|---|---|---|---|---|---|---|---|---|');
for (const r of reports) {
  const extra = Object.entries(r.summary.extra).map(([k, v]) => `${k} ${k === 'studentAssigned' ? formatMeanStd(v, { digits: 2 }) : pct(v)}`).join('; ');
  const command = `kgdistill kd ${r.method} --seeds ${seedCount}`;
  lines.push(`| ${r.title} | ${r.baseline} | ${r.arch}, ${r.budget.epochs} | ${pct(r.summary.baseline)} | ${pct(r.summary.method)} | ${pct(r.summary.difference, true)} | ${extra} | ${(r.seconds / 60).toFixed(1)} | \`${command}\` |`);
}
if (kgReports.length > 0) {
  lines.push('', `### KG port: two KGE students trained together vs one (${kgDataset}, filtered test MRR, seed 0)`, '');
  lines.push('| port | students | epochs | single student | pair: student A | pair: student B | Δ A − single | minutes | command |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const r of kgReports) {
    const s = r.seeds[0]!;
    const command = `kgdistill kd ${r.mode} --dataset ${kgDataset} --seeds 1 --epochs ${r.options.epochs}`;
    lines.push(`| ${r.mode === 'dml' ? 'DML' : 'DoGo'} | ${r.options.model} d=${r.options.dim}, ${r.options.optimizer} ${r.options.learningRate}, batch ${r.options.batchSize}${r.mode === 'dml' ? `, ${r.options.negatives} neg.` : ', in-batch neg.'} | ${r.options.epochs} | ${s.single.mrr.toFixed(4)} | ${s.pair.a.mrr.toFixed(4)} | ${s.pair.b.mrr.toFixed(4)} | ${(s.pair.a.mrr - s.single.mrr >= 0 ? '+' : '')}${(s.pair.a.mrr - s.single.mrr).toFixed(4)} | ${(r.seconds / 60).toFixed(1)} | \`${command}\` |`);
  }
}
const minutes = (performance.now() - started) / 60000;
lines.push('', `Total ${minutes.toFixed(1)} min on backend ${backend}; \`npm run bench:general\`.`);
console.log(lines.join('\n'));
console.log(JSON.stringify({ bench: 'general', date: new Date().toISOString(), backend, minutes, digits: reports, kg: kgReports }));
