/**
 * `--help` for every benchmark: prints the benchmark's own doc comment (what it measures, its usage) and exits, so
 * that asking a benchmark what it does never starts its runs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Prints the first doc comment of the module at `moduleUrl` and exits 0 when the arguments ask for help. */
export function exitOnHelp(moduleUrl: string): void {
  const args = process.argv.slice(2);
  if (!args.includes('--help') && !args.includes('-h')) return;
  const source = readFileSync(fileURLToPath(moduleUrl), 'utf8');
  const doc = /\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? ' * (no description)';
  process.stdout.write(`${doc.split('\n').map((line) => line.replace(/^\s*\* ?/, '')).join('\n').trim()}\n`);
  process.exit(0);
}
