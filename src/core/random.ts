/**
 * Seeded randomness. Every random draw of a run (initialisation, shuffling, negative sampling) comes from one
 * `SeededRandom`, so the same seed on the same backend gives the same numbers, and its state is saved in
 * checkpoints so a resumed run continues the same stream.
 */
import seedrandom from 'seedrandom';

/** Serialisable state of the generator (seedrandom's Alea). */
export interface RandomState { c: number; s0: number; s1: number; s2: number }

/** seedrandom's generator created with `{ state: true }`: callable, with a `state()` snapshot. */
interface StatefulPrng {
  (): number;
  state(): object;
}

/** A seeded pseudo-random stream (Alea, from the seedrandom package). */
export class SeededRandom {
  private readonly prng: StatefulPrng;

  constructor(seed: number | string, state?: RandomState) {
    const options = { state: (state ?? true) as unknown as true };
    this.prng = seedrandom.alea(String(seed), options) as unknown as StatefulPrng;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.prng();
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /**
   * Fills out[start, end) with integers in [0, n) (n ≤ 2³²): one draw of this stream seeds mulberry32 (Tommy
   * Ettinger's 32-bit hash of a Weyl sequence) for the run, whose draws do not wait for each other. Alea's draws each
   * wait for the last one's carry, about 5 ns a draw: a quarter of a sampled DistMult step's time at 25,000
   * negatives. An integer is ⌊u·n / 2³²⌋ of the 32-bit output u.
   */
  fillInts(out: Int32Array, n: number, start = 0, end = out.length): void {
    let a = Math.floor(this.prng() * 4294967296) | 0;
    const scale = n / 4294967296;
    for (let i = start; i < end; i++) {
      a = (a + MULBERRY_STEP) | 0;
      out[i] = Math.floor(mulberryHash(a) * scale);
    }
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.prng();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.prng());
  }

  /** Shuffles an array in place (Fisher–Yates). */
  shuffle<T extends { length: number; [i: number]: number }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng() * (i + 1));
      const tmp = values[i]!;
      values[i] = values[j]!;
      values[j] = tmp;
    }
    return values;
  }

  /** A permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }

  /** The generator's state, for checkpoints. */
  state(): RandomState {
    return this.prng.state() as unknown as RandomState;
  }
}

/** mulberry32's Weyl increment. */
const MULBERRY_STEP = 0x6d2b79f5;

/** mulberry32's output (an unsigned 32-bit integer) for the Weyl state `a`. */
function mulberryHash(a: number): number {
  let t = Math.imul(a ^ (a >>> 15), a | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** mulberry32 (Tommy Ettinger): a tiny deterministic generator of floats in [0, 1) for tests and benchmarks. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + MULBERRY_STEP) >>> 0;
    return mulberryHash(a) / 4294967296;
  };
}
