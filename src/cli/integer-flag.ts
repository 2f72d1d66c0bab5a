/**
 * Whole-number flags read from the command line. A double holds integers exactly only up to ±(2⁵³ − 1), so a longer
 * seed such as 12345678901234567890 would silently become another one (and two different seeds the same run): such
 * text is refused by name instead of rounded.
 */
import { INTEGER_RANGE_TEXT } from '../pipeline/options.js';

/** The integer a flag's text names, or undefined if the text is not a plain integer a double holds exactly. */
export function exactInteger(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A flag's value as an integer (e.g. `--seed`), refusing text that is not one or that a double would round. */
export function integerFlag(flag: string, text: string): number {
  const value = exactInteger(text);
  if (value === undefined) throw new Error(`${flag} must be ${INTEGER_RANGE_TEXT} (got '${text}')`);
  return value;
}

/** A flag's value as an integer ≥ 1 (e.g. `--eval-candidates`). */
export function positiveIntegerFlag(flag: string, text: string): number {
  const value = exactInteger(text);
  if (value === undefined || value < 1 || /^\s*[+-]/.test(text)) throw new Error(`${flag} must be a positive integer (got '${text}')`);
  return value;
}
