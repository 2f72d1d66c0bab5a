/**
 * Times the SIMD kernels at the sizes of one KGE step (B = 500 queries, M = 51 candidates = gold + 50 negatives,
 * d = 32, N = 14,541 entities as FB15k-237; dense Adam and the unit-norm projection over 40,943 × 32 as WN18RR) and
 * prints median / min ms.
 * Usage: node dist/bench/kernels.js [repeats = 200]
 */
import { loadKernels, OPTIMISER_DEFAULTS, SimilarityKind, type Kernels } from '../src/kernels/kernels.js';
import type { F32Block } from '../src/kernels/kernel-memory.js';
import { benchArgs } from './args.js';
import { exitOnHelp } from './help.js';

exitOnHelp(import.meta.url);

const B = 500, M = 51, d = 32, N = 14_541, N_WN = 40_943;

/** Median and minimum wall time in ms of `fn` over `repeats` runs after a warm-up. */
function time(fn: () => void, repeats: number): { median: number; min: number } {
  for (let i = 0; i < Math.min(20, repeats); i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { median: ts[Math.floor(ts.length / 2)], min: ts[0] };
}

/** Deterministic uniform [0, 1) stream (LCG, as the prototype's). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function fill(block: F32Block, rnd: () => number, lo: number, hi: number): void {
  const a = block.array;
  for (let i = 0; i < a.length; i++) a[i] = lo + (hi - lo) * rnd();
}

/** Runs every benchmark on one kernel instance and prints one line per kernel. */
function run(k: Kernels, repeats: number): void {
  const mem = k.memory, rnd = lcg(1);
  const table = mem.allocF32(N * d), gtable = mem.allocF32(N * d), accum = mem.allocF32(N * d);
  const m1 = mem.allocF32(N * d), m2 = mem.allocF32(N * d);
  const q = mem.allocF32(B * d), c = mem.allocF32(B), out = mem.allocF32(B * M), dscore = mem.allocF32(B * M);
  const dq = mem.allocF32(B * d), dc = mem.allocF32(B), cand = mem.allocI32(B * M);
  fill(table, rnd, -0.1, 0.1);
  fill(q, rnd, -0.1, 0.1);
  fill(c, rnd, 0.5, 1.5);
  for (let i = 0; i < B * M; i++) cand.array[i] = Math.floor(rnd() * N);
  const rows = mem.allocI32(B * M), mark = mem.allocI32(N);
  const nRows = k.uniqueRows(cand, B * M, mark, rows);
  const lines: [string, { median: number; min: number }][] = [];
  const names = ['dot', 'negSqEuclidean', 'negEuclidean', 'negSqPoincare'];
  for (const kind of [SimilarityKind.Dot, SimilarityKind.NegSqEuclidean, SimilarityKind.NegEuclidean,
    SimilarityKind.NegSqPoincare]) {
    fill(dscore, rnd, -1e-4, 1e-4);
    lines.push([`similarityForward ${names[kind]}`,
      time(() => k.similarityForward(kind, B, M, d, q, cand, table, c, out), repeats)]);
    lines.push([`similarityBackward ${names[kind]}`,
      time(() => k.similarityBackward(kind, B, M, d, q, cand, table, c, dscore, dq, gtable, dc), repeats)]);
    lines.push([`forward+backward ${names[kind]}`, time(() => {
      k.similarityForward(kind, B, M, d, q, cand, table, c, out);
      k.similarityBackward(kind, B, M, d, q, cand, table, c, dscore, dq, gtable, dc);
    }, repeats)]);
  }
  lines.push(['sampledSoftplusLoss (BCE, gold first)', time(() => k.fused.sampledSoftplusLoss(B, M, true, out, dscore, 1 / (B * M)), repeats)]);
  lines.push(['uniqueRows (25,500 ids)', time(() => k.uniqueRows(cand, B * M, mark, rows), repeats)]);
  const lr = 1e-3, { beta1, beta2, adamEps } = OPTIMISER_DEFAULTS;
  const g = () => fill(gtable, lcg(2), -1e-3, 1e-3);
  g();
  lines.push([`adagradRows (${nRows} rows)`, time(() => k.adagradRows(rows, nRows, d, table, gtable, accum, lr), repeats)]);
  lines.push([`adamRows (${nRows} rows)`, time(() => k.adamRows(rows, nRows, d, table, gtable, m1, m2, lr, beta1, beta2,
    adamEps, 10), repeats)]);
  lines.push([`sgdRows (${nRows} rows)`, time(() => k.sgdRows(rows, nRows, d, table, gtable, lr), repeats)]);
  const dense = mem.allocF32(B * d);
  lines.push([`gatherRows (${B} rows)`, time(() => k.gatherRows(B, d, cand, table, dense), repeats)]);
  lines.push([`scatterAddRows (${B} rows)`, time(() => k.scatterAddRows(B, d, cand, dense, gtable), repeats)]);
  const n = N_WN * d;
  const P = mem.allocF32(n), G = mem.allocF32(n), A1 = mem.allocF32(n), A2 = mem.allocF32(n);
  fill(P, rnd, -0.1, 0.1);
  let step = 0;
  lines.push([`adamDense (${N_WN} × ${d})`, time(() => k.adamDense(n, P, G, A1, A2, lr, beta1, beta2, adamEps, ++step),
    repeats)]);
  lines.push([`unitNormRows (${N_WN} × ${d})`, time(() => k.unitNormRows(N_WN, d, P), repeats)]);
  const width = Math.max(...lines.map(([name]) => name.length));
  console.log(`kernels, B = ${B}, M = ${M}, d = ${d}, N = ${N}, shared memory: ${k.memory.shared}; ms per call`);
  for (const [name, t] of lines) {
    console.log(`${name.padEnd(width)}  median ${t.median.toFixed(3)}  min ${t.min.toFixed(3)}`);
  }
}

const { positionals } = benchArgs('kernels', { flags: {}, positionals: { usage: '[repeats]', max: 1, min: 1 } });
const repeats = Number(positionals[0] ?? 200);
run(await loadKernels(), repeats);
