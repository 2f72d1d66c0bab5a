/**
 * `--out` of the commands that write a new directory (`export`, `data split`, `data generate`): a blank value is a
 * usage error (an OptionsError, exit 2: the command line is to change), then what is at the path is checked.
 */
import { emptyOutMessage, requireNewOutDir } from '../kg/new-directory.js';
import { refusedOption } from './options-error.js';

/** Refuses a blank `--out` (`name`: `out` for a library caller) as an OptionsError naming it, then a file or a non-empty directory there (a plain Error). */
export function requireNewOutFlag(out: string, name = '--out'): void {
  if (out.trim() === '') throw refusedOption(emptyOutMessage(name), 'out', out);
  requireNewOutDir(out, name);
}
