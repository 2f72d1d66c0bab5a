/**
 * Numeric flags read from the command line, one rule for every command: decimal or exponent notation (`300`, `1e3`,
 * `+3`), and no integer a double would round. A double holds integers exactly only up to ±(2⁵³ − 1), so a longer
 * seed such as 12345678901234567890 would silently become another one (and two different seeds the same run): such
 * text is refused by name instead of rounded.
 */
import { InvalidArgumentError } from 'commander';
import { INTEGER_RANGE_TEXT } from '../pipeline/options.js';
import { OptionsError } from '../pipeline/options-error.js';

/** Largest count a count flag takes (10⁹ − 1; a timer in milliseconds stays far below Node's 2³¹ − 1 limit). */
const COUNT_CEILING = 1e9;

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const PLAIN_INTEGER = /^[+-]?\d+$/;

/**
 * The number a flag's text names (`1.5`, `1e3`, `-4`), or undefined when it is not a number or is a plain integer a
 * double would round (so the text typed, not a rounded copy, is what a refusal shows).
 */
export function numberText(text: string): number | undefined {
  const trimmed = text.trim();
  if (!NUMBER_TEXT.test(trimmed)) return undefined;
  const value = Number(trimmed);
  if (PLAIN_INTEGER.test(trimmed) && !Number.isSafeInteger(value)) return undefined;
  return value;
}

const NUMBER_PARTS = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/**
 * The integer a flag's text names exactly (`42`, `1e3`, `2.50e1`), or undefined when it names a fraction (even one a
 * double would round to an integer, `1.0000000000000001`) or an integer a double does not hold exactly.
 */
export function exactInteger(text: string): number | undefined {
  const trimmed = text.trim();
  const parts = NUMBER_TEXT.test(trimmed) ? NUMBER_PARTS.exec(trimmed) : null;
  if (!parts) return undefined;
  const [, sign, whole = '', fraction = '', exponent = '0'] = parts;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent); // the integer part is digits[0, point), zero-padded past their end
  if (point < digits.length && /[1-9]/.test(digits.slice(Math.max(point, 0)))) return undefined;
  const integerDigits = point <= 0 ? '0' : point >= digits.length ? digits + '0'.repeat(Math.min(point - digits.length, 400)) : digits.slice(0, point);
  const value = Number(`${sign}${integerDigits}`);
  return Number.isSafeInteger(value) ? value + 0 : undefined; // + 0: −0 reads as 0
}

/** A flag's value as an integer (e.g. `--seed`), refusing text that is not one or that a double would round (a usage error: exit 2). */
export function integerFlag(flag: string, text: string): number {
  const value = exactInteger(text);
  if (value === undefined) throw new OptionsError(`${flag} must be ${INTEGER_RANGE_TEXT} (got '${text}')`, []);
  return value;
}

/** An integer from `min` to 10⁹ − 1 (commander argParser: its message names the flag and the text typed). */
function countArgument(text: string, min: number, what: string): number {
  const value = exactInteger(text);
  if (value === undefined || value < min || value >= COUNT_CEILING) throw new InvalidArgumentError(`expected ${what} below ${COUNT_CEILING}, got '${text}'`);
  return value;
}

/** Parses a count flag ≥ 1 (commander argParser; e.g. `--k`, `--max-connections`). */
export function positiveInteger(text: string): number {
  return countArgument(text, 1, 'a positive integer');
}

/** Parses a count flag ≥ 0 (commander argParser; e.g. `--rate-limit`, where 0 means none, `--drain-delay`). */
export function nonNegativeInteger(text: string): number {
  return countArgument(text, 0, 'a non-negative integer');
}
