// cleanRunDir (a run's start, or its --resume) removes the temporaries interrupted atomic writes left, but not one a
// live process is writing: a `kgdistill plot` writing curves.svg into a run being resumed commits its chart (its
// rename failed with ENOENT when the temporary had been removed under it). A dead process's temporary, of any run
// file, and write-file-atomic's, are still removed.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanRunDir } from '../../src/core/run-dir-files.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-run-temps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Waits until `ready()` holds (polling), failing after 20 s. */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (const start = Date.now(); !ready(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - start > 20_000) throw new Error(`timed out waiting for ${what}`);
  }
}

/**
 * Another process writing `<dir>/curves.svg` through writeFileAtomic's code (writeChunksAtomic, as plot does), held
 * after creating its temporary until `<dir>/go` exists; resolves with its exit code and stderr.
 */
function plotWriter(dir: string, svg: string): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  const script = path.join(tmp, 'plot-writer.mts');
  writeFileSync(script, `
    import { existsSync } from 'node:fs';
    import { writeChunksAtomic } from ${JSON.stringify(path.join(root, 'src/core/atomic-file.ts'))};
    const [dir, svg] = process.argv.slice(2);
    const pause = new Int32Array(new SharedArrayBuffer(4));
    // the first piece is handed over after the temporary is created and before it is written and renamed
    await writeChunksAtomic(dir + '/curves.svg', [Buffer.from(svg)], () => { while (!existsSync(dir + '/go')) Atomics.wait(pause, 0, 0, 20); });
  `);
  const child = spawn(process.execPath, ['--import', 'tsx', script, dir, svg], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  return { child, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr }))) };
}

describe('cleanRunDir and a concurrent atomic writer', () => {
  it("keeps a live plot's temporary (its chart is committed), removes a dead process's and write-file-atomic's", async () => {
    const dir = path.join(tmp, 'run');
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>run</title></svg>';
    const plot = plotWriter(dir, svg);
    let exited: { code: number | null; stderr: string } | undefined;
    void plot.done.then((result) => { exited = result; });
    await until(() => {
      if (exited) throw new Error(`the plot writer exited (${exited.code}) before writing: ${exited.stderr}`);
      return existsSync(dir) && readdirSync(dir).some((n) => n.startsWith('curves.svg.tmp-'));
    }, "the plot's temporary");
    const live = readdirSync(dir).find((n) => n.startsWith('curves.svg.tmp-'))!;
    expect(live).toMatch(new RegExp(`^curves\\.svg\\.tmp-${plot.child.pid}-\\d+$`));
    // a process that has exited: its pid names no running process
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const stale = [`last.json.tmp-${dead}-1765000000000001`, `curves.svg.tmp-${dead}-1765000000000002`, `best-mxabcdef0123ab.bin.tmp-${dead}-1765000000000003`, 'config.json.4242'];
    for (const name of stale) writeFileSync(path.join(dir, name), 'partial');
    writeFileSync(path.join(dir, 'metrics.jsonl'), '');
    // the run starts (or resumes) while the plot is writing
    const removed = await cleanRunDir(dir);
    expect(removed.sort()).toEqual([...stale].sort());
    expect(readdirSync(dir).sort()).toEqual([live, 'metrics.jsonl'].sort());
    writeFileSync(path.join(dir, 'go'), '');
    const { code, stderr } = await plot.done;
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(readFileSync(path.join(dir, 'curves.svg'), 'utf8')).toBe(svg);
    expect(readdirSync(dir).sort()).toEqual(['curves.svg', 'go', 'metrics.jsonl']);
  }, 60_000);
});
