/**
 * The tables of the KG ports (`kgdistill kd <method> --dataset <KG>` and the `bench:general*` tables), one per
 * kind of report: the DML/DoGo pair against a single student (an aligned table of filtered test MRR), and the
 * markdown tables of FedNTD-KGE (MRR per federated round) and CBD-KGE (MRR per answer-frequency bucket), each as
 * mean ± std over seeds.
 */
import { formatTable } from './format-table.js';
import { formatMeanStd, signed } from './kd-tables.js';
import { meanStd, type MeanStd } from '../general/stats.js';
import type { KgPortReport } from '../general/method-registry.js';
import type { PeerComparison } from '../general/kg/mutual/peer-run.js';
import type { FedKgeComparison } from '../general/kg/federated/fed-kge-run.js';
import type { CbdKgeComparison } from '../general/kg/long-tail/cbd-kge-run.js';
import { FREQUENCY_BUCKETS, type FrequencyBucket } from '../general/kg/long-tail/frequency-buckets.js';

const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
/** mean ± std, or '–' where nothing was measured (an empty frequency bucket). */
const ms = (s: MeanStd, signed = false): string => (s.n === 0 ? '–' : formatMeanStd(s, { signed }));

/** The rounds shown: all when there are at most `max`, else a spread that includes the first and the last. */
export function shownRounds(rounds: number, max = 8): number[] {
  if (rounds <= max) return Array.from({ length: rounds }, (_, i) => i + 1);
  const picked = new Set<number>([1, rounds]);
  for (let i = 1; i < max - 1; i++) picked.add(Math.round(1 + (i * (rounds - 1)) / (max - 1)));
  return [...picked].sort((a, b) => a - b);
}

/** FedE vs FedNTD-KGE: global test MRR per round (mean ± std) and the paired difference. */
export function formatFedKgeComparison(report: FedKgeComparison): string {
  const o = report.options;
  const rounds = shownRounds(o.rounds);
  const seeds = report.seeds.map((s) => s.seed).join(',');
  const first = report.seeds[0]!.fede;
  const header = `FedNTD-KGE vs FedE on ${report.dataset}: ${o.clients} clients (relation partition: ${first.clientRelations.join('/')} relations, ` +
    `${first.clientTriples.join('/')} triples, seed ${report.seeds[0]!.seed}'s), ${o.model} d=${o.dim}, ${o.rounds} rounds × ${o.localEpochs} local epochs, batch ${o.batchSize}, ` +
    `${o.optimizer} ${o.learningRate}, ${o.negatives} negatives, β ${o.beta}, τ ${o.temperature}; seeds ${seeds}; global model's filtered test MRR`;
  const lines = [
    row(['method', ...rounds.map((r) => `round ${r}`), 'best round']),
    row(['---', ...rounds.map(() => '---:'), '---:']),
    row(['FedE (FedAvg, no NTD)', ...rounds.map((r) => ms(report.perRound.fede[r - 1]!)), ms(meanStd(report.seeds.map((s) => Math.max(...s.fede.perRound))))]),
    row(['FedNTD-KGE', ...rounds.map((r) => ms(report.perRound.fedntd[r - 1]!)), ms(meanStd(report.seeds.map((s) => Math.max(...s.fedntd.perRound))))]),
    row(['Δ (paired)', ...rounds.map((r) => ms(report.perRound.difference[r - 1]!, true)),
      ms(meanStd(report.seeds.map((s) => Math.max(...s.fedntd.perRound) - Math.max(...s.fede.perRound))), true)]),
  ];
  return `${header}\n\n${lines.join('\n')}\n\n${(report.seconds / 60).toFixed(1)} min`;
}

/** CBD-KGE: every model's test MRR overall and per answer-frequency bucket, with paired differences. */
export function formatCbdKgeComparison(report: CbdKgeComparison): string {
  const o = report.options;
  const t = o.thresholds;
  const seeds = report.seeds.map((s) => s.seed).join(',');
  const buckets: FrequencyBucket[] = [...FREQUENCY_BUCKETS];
  const label: Record<FrequencyBucket, string> = {
    unseen: 'unseen (f = 0)',
    rare: `rare (1 ≤ f ≤ ${t?.rareMax ?? 2})`,
    medium: `medium (${(t?.rareMax ?? 2) + 1} ≤ f ≤ ${(t?.frequentMin ?? 11) - 1})`,
    frequent: `frequent (f ≥ ${t?.frequentMin ?? 11})`,
  };
  const header = `CBD-KGE on ${report.dataset}: ${o.teachers} instance-sampled ${o.model} d=${o.dim} teachers, student from scratch with entity-balanced sampling ` +
    `(power ${o.power}) and (1 − α)·KGE + α·KD on the sampled candidates, α ${o.alpha}, T ${o.temperature}; ${o.epochs} epochs each, batch ${o.batchSize}, ` +
    `${o.optimizer} ${o.learningRate}, ${o.negatives} negatives; seeds ${seeds}; filtered test MRR by the training frequency f of the answer`;
  const diff = (pick: (s: CbdKgeComparison['seeds'][number]) => { all: number; buckets: Record<FrequencyBucket, { mrr: number }> },
    base: (s: CbdKgeComparison['seeds'][number]) => { all: number; buckets: Record<FrequencyBucket, { mrr: number }> }): string[] => [
    ms(meanStd(report.seeds.map((s) => pick(s).all - base(s).all)), true),
    ...buckets.map((b) => ms(meanStd(report.seeds.map((s) => pick(s).buckets[b].mrr - base(s).buckets[b].mrr).filter(Number.isFinite)), true)),
  ];
  const model = (name: string, key: keyof CbdKgeComparison['summary']): string => {
    const s = report.summary[key];
    return row([name, ms(s.all), ...buckets.map((b) => ms(s[b]))]);
  };
  const lines = [
    row(['model', `all (${buckets.reduce((n, b) => n + report.counts[b], 0)})`, ...buckets.map((b) => `${label[b]} (${report.counts[b]})`)]),
    row(['---', '---:', ...buckets.map(() => '---:')]),
    model('instance sampling, KGE loss (teacher 1)', 'instance'),
    model('balanced sampling, KGE loss', 'balanced'),
    model('CBD-KGE: balanced sampling + KD', 'cbd'),
    row(['Δ CBD − balanced (paired)', ...diff((s) => s.cbd, (s) => s.balanced)]),
    row(['Δ CBD − instance (paired)', ...diff((s) => s.cbd, (s) => s.instance)]),
  ];
  return `${header}\n\n${lines.join('\n')}\n\n${(report.seconds / 60).toFixed(1)} min`;
}

/** The KG port comparison as a table: single student, the pair's two students, and the paired difference in MRR. */
export function formatPeerComparison(report: PeerComparison): string {
  const o = report.options;
  const seedHeaders = report.seeds.map((s) => `seed ${s.seed}`);
  const rows: (string | number)[][] = [
    ['single student', formatMeanStd(report.summary.single), ...report.seeds.map((s) => s.single.mrr.toFixed(4))],
    [`${report.mode} pair, student A`, formatMeanStd(report.summary.pairA), ...report.seeds.map((s) => s.pair.a.mrr.toFixed(4))],
    [`${report.mode} pair, student B`, formatMeanStd(report.summary.pairB), ...report.seeds.map((s) => s.pair.b.mrr.toFixed(4))],
    ['difference A − single', formatMeanStd(report.summary.difference, { signed: true }), ...report.seeds.map((s) => signed(s.pair.a.mrr - s.single.mrr))],
  ];
  const table = formatTable(rows, { header: ['', 'test MRR (mean ± std)', ...seedHeaders], align: ['left', 'right', ...seedHeaders.map(() => 'right' as const)] });
  return `KG port of ${report.mode === 'dml' ? 'DML' : 'DoGo'}: two ${o.model} d=${o.dim} students vs one, ${report.dataset}; ${o.epochs} epochs, batch ${o.batchSize}, ` +
    `${o.optimizer} ${o.learningRate}${report.mode === 'dml' ? `, ${o.negatives} negatives` : ', in-batch negatives'}, λ ${o.weight}, T ${o.temperature}\n${table}\n` +
    `filtered test MRR, both directions; ${(report.seconds / 60).toFixed(1)} min`;
}

/** The table of any KG port's report, by its kind. */
export function formatKgPortReport(report: KgPortReport): string {
  switch (report.kind) {
    case 'peers': return formatPeerComparison(report);
    case 'federated': return formatFedKgeComparison(report);
    case 'long-tail': return formatCbdKgeComparison(report);
  }
}
