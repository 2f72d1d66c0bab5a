/**
 * `--out` of the commands that write a new directory (`export`, `data split`, `data generate`): a blank value is a
 * usage error (an OptionsError, exit 2: the command line is to change), then what is at the path is checked.
 */
import { EMPTY_OUT_MESSAGE, requireNewOutDir } from '../kg/new-directory.js';
import { refusedOption } from './options-error.js';

/** Refuses a blank `--out` as an OptionsError naming it, then a file or a non-empty directory there (a plain Error). */
export function requireNewOutFlag(out: string): void {
  if (out.trim() === '') throw refusedOption(EMPTY_OUT_MESSAGE, 'out', out);
  requireNewOutDir(out);
}
