/**
 * The non-IID client split of federated simulations: for every class, client shares p ~ Dirichlet(α·1_M) are
 * drawn and the class's (shuffled) samples are cut into M consecutive runs of those sizes (the "LDA" split used
 * by FedNTD, Lee et al. 2022, §5 / App. A, after Hsu et al. 2019). Small α → each class lives on few clients.
 */
import { SeededRandom } from '../../../core/random.js';

/** A Gamma(shape, 1) draw (Marsaglia & Tsang 2000; shape < 1 via the boost Γ(a) = Γ(a + 1)·U^{1/a}). */
export function gammaSample(shape: number, rng: SeededRandom): number {
  if (!(shape > 0)) throw new Error(`gamma shape must be positive (got ${shape})`);
  if (shape < 1) {
    let u = 0;
    while (u === 0) u = rng.next();
    return gammaSample(shape + 1, rng) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Dirichlet(α, …, α) draw of dimension k (normalised Gamma draws). */
export function dirichletSample(alpha: number, k: number, rng: SeededRandom): number[] {
  const g = Array.from({ length: k }, () => gammaSample(alpha, rng));
  const sum = g.reduce((a, b) => a + b, 0);
  // All draws can underflow to 0 for tiny α: then one client gets everything.
  if (sum === 0) return g.map((_, i) => (i === 0 ? 1 : 0));
  return g.map((v) => v / sum);
}

/** Splits sample indices over `clients` clients, per class by Dirichlet(α) shares; every index exactly once. */
export function dirichletSplit(labels: Int32Array, classes: number, clients: number, alpha: number, seed: number | string): Int32Array[] {
  if (!Number.isInteger(clients) || clients < 1) throw new Error(`clients must be a positive integer (got ${clients})`);
  if (!(alpha > 0)) throw new Error(`alpha must be positive (got ${alpha})`);
  const rng = new SeededRandom(`dirichlet:${seed}`);
  const parts: number[][] = Array.from({ length: clients }, () => []);
  for (let c = 0; c < classes; c++) {
    const members: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) members.push(i);
    const order = rng.shuffle(Int32Array.from(members));
    const shares = dirichletSample(alpha, clients, rng);
    // Cut points at the rounded cumulative shares: sizes sum to the class size exactly.
    let start = 0;
    let cumulative = 0;
    for (let k = 0; k < clients; k++) {
      cumulative += shares[k]!;
      const end = k === clients - 1 ? order.length : Math.min(order.length, Math.round(cumulative * order.length));
      for (let j = start; j < end; j++) parts[k]!.push(order[j]!);
      start = Math.max(start, end);
    }
  }
  return parts.map((p) => Int32Array.from(p));
}

/** Per-client class histograms [client][class] of a split. */
export function clientHistograms(parts: readonly Int32Array[], labels: Int32Array, classes: number): number[][] {
  return parts.map((ids) => {
    const h = new Array<number>(classes).fill(0);
    for (const i of ids) h[labels[i]!]!++;
    return h;
  });
}
