/**
 * `npm run bench:general2`: the tables of general distillation part 2 (issue 9) on the digits, 3 seeds each:
 * FedNTD vs FedAvg at Dirichlet α ∈ {0.1, 1.0} (global test accuracy per round, mean ± std, plus an SVG of the
 * per-round curves), and CBD vs instance-sampled and class-balanced baselines at imbalance ratios 10 and 100
 * (balanced and many/medium/few-shot accuracy). Runs the same code with the same seeds as `kgdistill kd fedntd`
 * and `kgdistill kd cbd`, so each row's command reproduces its final figures. Prints markdown and a JSON line.
 * Usage: node dist/bench/general2.js [--seeds n] [--rounds n] [--svg path (default runs/general2/fedntd-rounds.svg)] [--only fedntd|cbd]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { initBackend } from '../src/core/backend.js';
import { loadDigits } from '../src/general/images/data/digits.js';
import { stratifiedSplit } from '../src/general/images/data/split.js';
import { runFederated } from '../src/general/images/federated/fedavg.js';
import { runCbdExperiment } from '../src/general/images/longtail/cbd.js';
import type { LongTailScores } from '../src/general/images/longtail/metrics.js';
import { cbdMethod, cbdSetup } from '../src/general/images/methods/cbd.js';
import { fedNtdMethod, federatedConfig } from '../src/general/images/methods/fedntd.js';
import { meanStd } from '../src/general/stats.js';
import { formatMeanStd } from '../src/cli/kd-tables.js';
import { renderLineChartSvg, type ChartPoint } from '../src/cli/svg-chart.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const { values: { seeds: seedCount, rounds, svg: svgPath, only } } = benchArgs('general2', {
  flags: {
    seeds: { type: 'integer', default: 3, min: 1 },
    rounds: { type: 'integer', default: fedNtdMethod.defaultEpochs, min: 1 },
    svg: { type: 'string', default: 'runs/general2/fedntd-rounds.svg' },
    only: { type: 'string', choices: ['fedntd', 'cbd'] },
  },
});
const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const pct = (values: number[], signed = false): string => formatMeanStd(meanStd(values), { percent: true, signed });

const started = performance.now();
const backend = await initBackend('auto');
const data = await loadDigits('digits');
const { train, test } = stratifiedSplit(data, 0.25, 0);
const budget = { epochs: rounds, batchSize: 64, learningRate: 0.003 };
const seeds = Array.from({ length: seedCount }, (_, i) => i);
const lines: string[] = [];
const json: Record<string, unknown> = { bench: 'general2', date: new Date().toISOString(), backend, seeds: seedCount };

if (only !== 'cbd') {
  const t0 = performance.now();
  const checkpoints = [1, 5, 10, 20, 30, 50, 100].filter((r) => r < rounds).concat(rounds);
  const points: ChartPoint[] = [];
  const curves: Record<string, number[][]> = {};
  lines.push(`### FedNTD vs FedAvg (digits, 10 clients, Dirichlet α, fraction 0.5, 5 local epochs, mlp; global test accuracy %, ${seedCount} seeds)`, '');
  lines.push(`| α | algorithm | ${checkpoints.map((r) => `round ${r}`).join(' | ')} | best round | Δ final (paired) | command |`);
  lines.push(`|---|---|${checkpoints.map(() => '---|').join('')}---|---|---|`);
  for (const alpha of [0.1, 1.0]) {
    const params = fedNtdMethod.schema.parse({ alpha });
    const finals: Record<string, number[]> = {};
    for (const algorithm of ['fedavg', 'fedntd'] as const) {
      const runs = seeds.map((seed) => {
        const r = runFederated(train, test, federatedConfig({ train, test, seed, budget, arch: 'mlp', params, log }, algorithm));
        log(`fedntd bench: α=${alpha} ${algorithm} seed ${seed}: final ${r.accuracy.toFixed(4)}`);
        return r.perRound;
      });
      curves[`${algorithm} α=${alpha}`] = runs;
      finals[algorithm] = runs.map((r) => r[r.length - 1]!);
      for (let r = 0; r < rounds; r++) points.push({ epoch: r + 1, value: meanStd(runs.map((run) => run[r]!)).mean, series: `${algorithm === 'fedntd' ? 'FedNTD' : 'FedAvg'}, α = ${alpha}` });
      const cells = checkpoints.map((c) => pct(runs.map((run) => run[c - 1]!)));
      const delta = algorithm === 'fedntd' ? pct(finals.fedntd!.map((v, i) => v - finals.fedavg![i]!), true) : '';
      const command = `kgdistill kd fedntd --seeds ${seedCount} --epochs ${rounds} --param alpha=${alpha}`;
      lines.push(`| ${alpha} | ${algorithm === 'fedntd' ? 'FedNTD (β = 1, τ = 1)' : 'FedAvg'} | ${cells.join(' | ')} | ${pct(runs.map((run) => Math.max(...run)))} | ${delta} | \`${command}\` |`);
    }
  }
  const svg = await renderLineChartSvg(points, { title: `Global test accuracy per round (digits, mean of ${seedCount} seeds)`, x: 'communication round', y: 'accuracy' });
  mkdirSync(path.dirname(svgPath), { recursive: true });
  writeFileSync(svgPath, svg);
  const minutes = (performance.now() - t0) / 60000;
  lines.push('', `FedNTD table: ${minutes.toFixed(1)} min; per-round plot written to \`${svgPath}\`.`, '');
  json.fedntd = { rounds, minutes, curves, svg: svgPath };
}

if (only !== 'fedntd') {
  const t0 = performance.now();
  const cbdBudget = { epochs: cbdMethod.defaultEpochs, batchSize: 64, learningRate: 0.003 };
  lines.push(`### CBD on long-tailed digits (mlp, ${cbdBudget.epochs} epochs, 2 teachers, α = 0.5; balanced test accuracy %, ${seedCount} seeds)`, '');
  lines.push('| ratio | train images | model | balanced | many | medium | few | command |');
  lines.push('|---|---|---|---|---|---|---|---|');
  const results: Record<string, unknown> = {};
  for (const ratio of [10, 100]) {
    const params = cbdMethod.schema.parse({ ratio });
    const rows: Record<'instance' | 'classBalanced' | 'cbd', LongTailScores[]> = { instance: [], classBalanced: [], cbd: [] };
    let trainSize = 0;
    let counts: number[] = [];
    for (const seed of seeds) {
      const setup = cbdSetup({ train, test, seed, budget: cbdBudget, arch: 'mlp', params, log });
      trainSize = setup.train.n;
      counts = setup.counts;
      const r = runCbdExperiment(setup.train, test, setup.counts, setup.config);
      rows.instance.push(r.instance!);
      rows.classBalanced.push(r.classBalanced!);
      rows.cbd.push(r.cbd!);
      log(`cbd bench: ratio ${ratio} seed ${seed}: instance ${r.instance!.balanced.toFixed(4)}, class-balanced ${r.classBalanced!.balanced.toFixed(4)}, cbd ${r.cbd!.balanced.toFixed(4)}`);
    }
    const group = (scores: LongTailScores[], key: 'balanced' | 'many' | 'medium' | 'few'): string => {
      const values = scores.map((s) => s[key]).filter((v) => !Number.isNaN(v));
      return values.length > 0 ? pct(values) : '—';
    };
    const names = { instance: 'instance sampling + CE (teacher 1)', classBalanced: 'class-balanced sampling + CE', cbd: 'CBD student' } as const;
    for (const key of ['instance', 'classBalanced', 'cbd'] as const) {
      const command = key === 'instance' ? '(extra `instanceSampled` of the cbd run)' : `\`kgdistill kd cbd --seeds ${seedCount} --param ratio=${ratio}\``;
      lines.push(`| ${ratio} | ${trainSize} (${counts.join('/')}) | ${names[key]} | ${group(rows[key], 'balanced')} | ${group(rows[key], 'many')} | ${group(rows[key], 'medium')} | ${group(rows[key], 'few')} | ${command} |`);
    }
    lines.push(`| ${ratio} | | Δ CBD − class-balanced (paired) | ${pct(rows.cbd.map((s, i) => s.balanced - rows.classBalanced[i]!.balanced), true)} | | | | |`);
    results[String(ratio)] = rows;
  }
  const minutes = (performance.now() - t0) / 60000;
  lines.push('', `CBD table: ${minutes.toFixed(1)} min.`, '');
  json.cbd = { minutes, results };
}

lines.push(`Total ${((performance.now() - started) / 60000).toFixed(1)} min on backend ${backend}; \`npm run bench:general2\`.`);
console.log(lines.join('\n'));
console.log(JSON.stringify(json));
