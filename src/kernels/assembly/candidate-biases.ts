// The score biases of sampled candidates (the fused negative-sampling step): the tail bias of each candidate entity
// and the head offset of its query row, added to the candidates' scores, and their VJP.

/** Sampled scores [Q×M]: s[i] += bias[cand[i]] (when bias ≠ 0), then += offset[i / M] (when offset ≠ 0). */
export function addCandidateBiases(Q: i32, M: i32, s: usize, offset: usize, cand: usize, bias: usize): void {
  for (let q = 0; q < Q; q++) {
    const base = <usize>q * <usize>M;
    const off: f32 = offset != 0 ? load<f32>(offset + (<usize>q << 2)) : 0;
    for (let m = 0; m < M; m++) {
      const p = s + ((base + <usize>m) << 2);
      let v = load<f32>(p);
      if (bias != 0) v += load<f32>(bias + (<usize>load<i32>(cand + ((base + <usize>m) << 2)) << 2));
      if (offset != 0) v += off;
      store<f32>(p, v);
    }
  }
}

/** VJP of addCandidateBiases: doffset[q] ← Σ_m ds[q·M + m] (overwritten), gbias[cand[i]] += ds[i] (accumulated). */
export function candidateBiasBackward(Q: i32, M: i32, dscore: usize, doffset: usize, cand: usize, gbias: usize): void {
  for (let q = 0; q < Q; q++) {
    const base = <usize>q * <usize>M;
    let sum: f32 = 0;
    for (let m = 0; m < M; m++) {
      const i = (base + <usize>m) << 2;
      const g = load<f32>(dscore + i);
      sum += g;
      if (gbias != 0) {
        const p = gbias + (<usize>load<i32>(cand + i) << 2);
        store<f32>(p, load<f32>(p) + g);
      }
    }
    if (doffset != 0) store<f32>(doffset + (<usize>q << 2), sum);
  }
}
