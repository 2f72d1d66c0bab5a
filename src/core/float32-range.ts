/**
 * The one home of float32's range for option schemas. Options are validated as doubles, but training runs in
 * float32: a learning rate, initialisation scale, loss weight, margin or temperature above float32's largest finite
 * value becomes Infinity there (a "divergence" at the first step), and a positive one below half its smallest
 * subnormal becomes 0 (a run that learns nothing, or a division by zero). Every numeric option that feeds float32
 * arithmetic is built with {@link float32} (or {@link positiveFloat32}, {@link nonNegativeFloat32}) and refused at
 * validation instead. Integers (counts, `--dim`, seeds) are not float32 values and are not bound here.
 */
import { z } from 'zod';

/** float32's largest finite value (the float32 nearest to 2^128 − 2^104). */
export const FLOAT32_MAX = 3.4028234663852886e38;
/** float32's smallest positive value (a subnormal); a positive double below half of it rounds to 0. */
export const FLOAT32_MIN_POSITIVE = 1.401298464324817e-45;
/** How messages write FLOAT32_MAX. */
export const FLOAT32_MAX_TEXT = '3.4e38';
/** How messages write FLOAT32_MIN_POSITIVE. */
export const FLOAT32_MIN_POSITIVE_TEXT = '1.4e-45';

/** What a float32-bound option must be: positive (0 excluded, so it must not round to 0) or ≥ 0. */
export type Float32Sign = 'positive' | 'nonNegative';

/** "must be a positive number" / "must be a number ≥ 0", as the options' messages say it. */
const SIGN_TEXT: Record<Float32Sign, string> = { positive: 'a positive number', nonNegative: 'a number ≥ 0' };

/**
 * Why float32 cannot hold `value` as an option of sign `sign`, or undefined when it can. A value that is not of the
 * sign at all is left to the schema's own check (so it gets one message, not two).
 */
export function float32Problem(value: number, sign: Float32Sign): string | undefined {
  if (!(sign === 'positive' ? value > 0 : value >= 0)) return undefined;
  const must = `must be ${SIGN_TEXT[sign]} a 32-bit float holds`;
  if (value > FLOAT32_MAX) return `${must} (at most ${FLOAT32_MAX_TEXT})`;
  if (sign === 'positive' && Math.fround(value) === 0) return `${must} (at least ${FLOAT32_MIN_POSITIVE_TEXT}; a smaller one rounds to 0)`;
  return undefined;
}

/** `schema` (a number schema of sign `sign`) refusing, with {@link float32Problem}'s message, what float32 cannot hold. */
export function float32(schema: z.ZodNumber, sign: Float32Sign): z.ZodNumber {
  return schema.check((ctx) => {
    const problem = float32Problem(ctx.value, sign);
    if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  });
}

/** A positive number float32 holds (zod's own message when it is not positive, or `error` when given). */
export function positiveFloat32(error?: string): z.ZodNumber {
  return float32(error === undefined ? z.number().positive() : z.number({ error }).positive({ error }), 'positive');
}

/** A number ≥ 0 float32 holds (zod's own message when it is negative, or `error` when given). */
export function nonNegativeFloat32(error?: string): z.ZodNumber {
  return float32(error === undefined ? z.number().nonnegative() : z.number({ error }).nonnegative({ error }), 'nonNegative');
}
