/** Runs `kgdistill <args>` in-process through commander (stdout captured, stderr silenced) for CLI tests. */
import { vi } from 'vitest';
import { Command } from 'commander';

/** Registers commands on a fresh program, runs `args`, and returns what was written to stdout. */
export async function runCli(register: readonly ((program: Command) => void)[], args: string[]): Promise<string> {
  const program = new Command('kgdistill').exitOverride();
  for (const add of register) add(program);
  let out = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return out;
}

/** The JSON object on the last stdout line. */
export function lastJsonLine(out: string): Record<string, unknown> {
  return JSON.parse(out.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;
}
