// `kgdistill … | head`: the reader closes the pipe before the output ends. The command ends quietly with exit 0, as
// the shell tools do, instead of an unhandled EPIPE stack trace and exit 1.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

describe('a closed stdout pipe', () => {
  it('ends the command with exit 0 and nothing on stderr', async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'cli', 'main.ts'), 'kd', '--list'], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy(); // the reader is gone before the first line
      let stderr = '';
      child.stderr.on('data', (d) => { stderr += String(d); });
      child.on('close', (exit) => resolve({ code: exit, stderr }));
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
