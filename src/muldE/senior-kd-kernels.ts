// Bounds-checked wrapper of MulDE's Senior + KD head kernel (assembly/senior-kd.ts, compiled into the one kernel
// module; float64 reference and derivation in test/muldE/senior-kd-head.ts). Its exports are declared here, not in the kernel
// layer: `seniorKdKernels(kernels)` fetches them through `Kernels.extension`.
import type { F32Block } from '../kernels/kernel-memory.js';
import { type BlockChecks, fail, int, real } from '../kernels/kernel-checks.js';
import type { Kernels } from '../kernels/kernels.js';

/** Exports of assembly/senior-kd.ts. */
export interface SeniorKdExports {
  seniorKd(n: number, K: number, T: number, junior: number, teachers: number, gates: number, labels: number, B: number,
    temp: number, kdWeight: number, tau: number, flags: number, dJunior: number, dGates: number, scratch: number): number;
  seniorKdLastSenior(): number;
  seniorKdLastKd(): number;
}

/** Names of the SeniorKdExports (checked at load time). */
export const SENIOR_KD_EXPORTS: readonly (keyof SeniorKdExports)[] = ['seniorKd', 'seniorKdLastSenior', 'seniorKdLastKd'];

/** Floats of the kernel's scratch for K candidates and T teachers: (2T + 9)·⌈K/4⌉·4 + 4T. */
export function seniorKdScratchLength(K: number, T: number): number {
  return (2 * T + 9) * Math.ceil(K / 4) * 4 + 4 * T;
}

/** The blocks of one call: n queries × K candidates, T teachers (teacher i's n×K scores at i·n·K). */
export interface SeniorKdBlocks {
  junior: F32Block;
  teachers: F32Block;
  gates: F32Block;
  labels: F32Block;
  dJunior: F32Block;
  dGates: F32Block;
  scratch: F32Block;
}

/** Constants of the objective for one batch (as SeniorKdSettings of test/muldE/senior-kd-head.ts). */
export interface SeniorKdConstants {
  batchSize: number;
  temperature: number;
  kdWeight: number;
  attentionTemperature: number;
  scaling: boolean;
  attention: boolean;
}

/** Checked wrapper; every pointer argument is a block of the kernels' memory. */
export class SeniorKdKernels {
  /** Wraps the exports of an instantiated kernel module; use `seniorKdKernels(kernels)`. */
  constructor(private readonly ex: SeniorKdExports, private readonly c: BlockChecks) {}

  /** Writes ∂L/∂s_J (n×K, overwritten) and ∂L/∂g (n×T, overwritten) and returns [L_Senior, L_KD] of the block. */
  run(n: number, K: number, T: number, blocks: SeniorKdBlocks, constants: SeniorKdConstants): [number, number] {
    const fn = 'seniorKd';
    int(fn, 'n', n);
    int(fn, 'K', K, 1);
    int(fn, 'T', T, 1);
    int(fn, 'batchSize', constants.batchSize, Math.max(n, 1));
    for (const [name, x] of [['temperature', constants.temperature], ['attentionTemperature', constants.attentionTemperature]] as const) {
      real(fn, name, x);
      if (!(x > 0)) fail(`${fn}: ${name} must be > 0, got ${x}`);
    }
    real(fn, 'kdWeight', constants.kdWeight);
    const sizes: Record<keyof SeniorKdBlocks, number> = { junior: n * K, teachers: T * n * K, gates: n * T, labels: n * K,
      dJunior: n * K, dGates: n * T, scratch: seniorKdScratchLength(K, T) };
    for (const [name, length] of Object.entries(sizes)) this.c.block(fn, name, blocks[name as keyof SeniorKdBlocks], length);
    this.c.disjoint(fn, [['dJunior', blocks.dJunior], ['dGates', blocks.dGates], ['scratch', blocks.scratch]],
      [['junior', blocks.junior], ['teachers', blocks.teachers], ['gates', blocks.gates], ['labels', blocks.labels],
        ['dJunior', blocks.dJunior], ['dGates', blocks.dGates], ['scratch', blocks.scratch]]);
    const flags = (constants.scaling ? 1 : 0) | (constants.attention ? 2 : 0);
    this.ex.seniorKd(n, K, T, blocks.junior.offset, blocks.teachers.offset, blocks.gates.offset, blocks.labels.offset,
      constants.batchSize, constants.temperature, constants.kdWeight, constants.attentionTemperature, flags,
      blocks.dJunior.offset, blocks.dGates.offset, blocks.scratch.offset);
    return [this.ex.seniorKdLastSenior(), this.ex.seniorKdLastKd()];
  }
}

/** The checked Senior + KD kernel of a kernel instance (one wrapper per instance). */
export function seniorKdKernels(kernels: Kernels): SeniorKdKernels {
  return kernels.extension('seniorKd', SENIOR_KD_EXPORTS, (ex, checks) => new SeniorKdKernels(ex as unknown as SeniorKdExports, checks));
}
