/**
 * The networks by architecture and size: `mlp` or `cnn`, `teacher` (wide) or `student` (narrow). Sizes are chosen
 * so that on digits the teacher is clearly better than the student trained alone (see docs/RESULTS.md).
 */
import { z } from 'zod';
import { Mlp } from './mlp.js';
import { Cnn, type CnnShape } from './cnn.js';
import { parameterCount } from './params.js';
import type { Network } from './network.js';

/** The architectures. */
export const ARCHITECTURES = ['mlp', 'cnn'] as const;
/** An architecture name. */
export type Architecture = (typeof ARCHITECTURES)[number];
/** The sizes. */
export type NetSize = 'teacher' | 'student';

/** Schema of an architecture flag. */
export const architectureSchema = z.enum(ARCHITECTURES);

/** Hidden sizes of the MLPs. */
export const MLP_SIZES: Record<NetSize, readonly number[]> = { teacher: [256, 128], student: [16, 16] };
/** Channels and widths of the CNNs. */
export const CNN_SIZES: Record<NetSize, CnnShape> = { teacher: { c1: 16, c2: 32, fc: 64 }, student: { c1: 4, c2: 8, fc: 16 } };

/** A network of an architecture and size, initialised from `seed`. */
export function createNet(arch: Architecture, size: NetSize, seed: string | number, classes = 10): Network {
  const name = `${arch}-${size}`;
  if (arch === 'mlp') return new Mlp(name, MLP_SIZES[size], classes, seed);
  if (arch === 'cnn') return new Cnn(name, CNN_SIZES[size], classes, seed);
  throw new Error(`unknown architecture '${String(arch)}'; known: ${ARCHITECTURES.join(', ')}`);
}

/** "mlp-student (1,562 parameters)". */
export function describeNet(net: Network): string {
  return `${net.name} (${parameterCount(net.variables).toLocaleString('en-US')} parameters)`;
}
