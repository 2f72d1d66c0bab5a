/** Runs `kgdistill <args>` in-process through commander (stdout captured, stderr silenced) for CLI tests. */
import { vi } from 'vitest';
import { Command } from 'commander';

/** Registers commands on a fresh program, runs `args`, and returns what was written to stdout and stderr. */
export async function runCliCapturing(register: readonly ((program: Command) => void)[], args: string[]): Promise<{ out: string; err: string }> {
  const program = new Command('kgdistill').exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  for (const add of register) add(program);
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  return { out, err };
}

/** Registers commands on a fresh program, runs `args`, and returns what was written to stdout. */
export async function runCli(register: readonly ((program: Command) => void)[], args: string[]): Promise<string> {
  return (await runCliCapturing(register, args)).out;
}

/** The `--help` text of the command at `path` (e.g. ['data', 'fetch']) of a fresh program with `register`'s commands. */
export function helpOf(register: (program: Command) => void, path: readonly string[]): string {
  let command = new Command('kgdistill');
  register(command);
  for (const name of path) command = command.commands.find((c) => c.name() === name)!;
  let help = '';
  command.configureOutput({ writeOut: (text) => { help += text; } });
  command.outputHelp();
  return help;
}

/** The JSON object on the last stdout line. */
export function lastJsonLine(out: string): Record<string, unknown> {
  return JSON.parse(out.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;
}
