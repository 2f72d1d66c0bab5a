// metrics.jsonl: every line carries its format version; lines without one (written before it existed) still read;
// a line of another version, or one that is not an epoch record, is an error naming the file and line.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { METRICS_FORMAT, appendMetrics, readMetrics, trimMetrics } from '../../src/core/metrics-log.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'kgdistill-metrics-'));

describe('metrics.jsonl', () => {
  it('writes the format version first in every line, and reads the records back with it', async () => {
    const file = path.join(tmp, 'written.jsonl');
    await appendMetrics(file, { epoch: 1, loss: 0.5, seconds: 2, steps: 3 });
    await appendMetrics(file, { epoch: 2, loss: 0.25, seconds: 2, steps: 3, valid: { mrr: 0.4 } });
    expect(readFileSync(file, 'utf8')).toBe(
      '{"format":1,"epoch":1,"loss":0.5,"seconds":2,"steps":3}\n{"format":1,"epoch":2,"loss":0.25,"seconds":2,"steps":3,"valid":{"mrr":0.4}}\n',
    );
    expect(METRICS_FORMAT).toBe(1);
    const records = await readMetrics<{ epoch: number; loss: number; valid?: { mrr: number } }>(file);
    expect(records.map((r) => [r.epoch, r.loss, r.valid?.mrr])).toEqual([[1, 0.5, undefined], [2, 0.25, 0.4]]);
  });

  it('a line that cannot be appended is an error naming the file in plain words', async () => {
    const dir = mkdtempSync(path.join(tmp, 'not-a-file-'));
    await expect(appendMetrics(dir, { epoch: 1, loss: 0.5, seconds: 2, steps: 3 })).rejects.toThrow(`${dir}: cannot append: is a directory where a file is needed (EISDIR)`);
  });

  it('reads lines written before the version existed, and trimming writes them with it', async () => {
    const file = path.join(tmp, 'legacy.jsonl');
    writeFileSync(file, '{"epoch":1,"loss":9,"seconds":1,"steps":3}\n{"epoch":2,"loss":8,"seconds":1,"steps":3}\n{"epoch":3,"lo');
    expect((await readMetrics(file)).map((r) => r.epoch)).toEqual([1, 2]);
    await trimMetrics(file, 1);
    expect(readFileSync(file, 'utf8')).toBe('{"format":1,"epoch":1,"loss":9,"seconds":1,"steps":3}\n');
  });

  it('refuses a line of another format version, naming the file, the line and the version', async () => {
    const file = path.join(tmp, 'newer.jsonl');
    writeFileSync(file, '{"format":1,"epoch":1,"loss":1}\n{"format":2,"epoch":2,"loss":1}\n');
    await expect(readMetrics(file)).rejects.toThrow(`${file}:2: metrics format 2, this kgdistill reads format 1`);
  });

  it('refuses a line that is not an epoch record (no epoch, or not a whole positive one), naming the file and line', async () => {
    const file = path.join(tmp, 'not-a-record.jsonl');
    writeFileSync(file, '{"format":1,"epoch":1,"loss":1}\n[1,2]\n');
    await expect(readMetrics(file)).rejects.toThrow(`${file}:2: not an epoch record`);
    writeFileSync(file, '{"format":1,"epoch":1.5,"loss":1}\n');
    await expect(readMetrics(file)).rejects.toThrow(`${file}:1: not an epoch record (epoch:`);
    writeFileSync(file, 'null\n');
    await expect(readMetrics(file)).rejects.toThrow(`${file}:1: not an epoch record`);
  });

  it('still refuses a damaged line before the last, and drops a torn last one', async () => {
    const file = path.join(tmp, 'damaged.jsonl');
    writeFileSync(file, '{"epoch":1,"loss":1}\n{"epo\n{"epoch":3,"loss":1}\n');
    await expect(readMetrics(file)).rejects.toThrow(`${file}:2: not a JSON record`);
    writeFileSync(file, '{"epoch":1,"loss":1}\n{"epoch":2,');
    expect((await readMetrics(file)).map((r) => r.epoch)).toEqual([1]);
  });
  it('refuses a line without the finite loss, or the validation MRR, the trainer always writes, naming file, line and field', async () => {
    const file = path.join(tmp, 'no-loss.jsonl');
    writeFileSync(file, '{"format":1,"epoch":1}\n');
    await expect(readMetrics(file)).rejects.toThrow(`${file}:1: not an epoch record (loss: is missing)`);
    writeFileSync(file, '{"format":1,"epoch":1,"loss":0.5}\n{"format":1,"epoch":2,"loss":"high","valid":{"mrrx":1}}\n');
    await expect(readMetrics(file)).rejects.toThrow(`${file}:2: not an epoch record (loss: must be a number; valid.mrr: is missing)`);
    writeFileSync(file, '{"format":1,"epoch":1,"loss":null}\n');
    await expect(readMetrics(file)).rejects.toThrow(`${file}:1: not an epoch record (loss: must be a number)`);
    writeFileSync(file, '{"format":1,"epoch":1,"loss":0.5,"valid":null}\n{"format":1,"epoch":2,"loss":0.5}\n');
    await expect(readMetrics(file)).rejects.toThrow(`${file}:1: not an epoch record (valid: must be an object of validation metrics)`);
    writeFileSync(file, '{"format":1,"epoch":1,"loss":0.5,"valid":{"mrr":"x"}}\n{"format":1,"epoch":2,"loss":0.5}\n');
    await expect(readMetrics(file)).rejects.toThrow(`${file}:1: not an epoch record (valid.mrr: must be a number)`);
    writeFileSync(file, '{"format":1,"epoch":1,"loss":0.5,"valid":{"mrr":0.25,"candidates":50}}\n');
    expect(await readMetrics(file)).toEqual([{ format: 1, epoch: 1, loss: 0.5, valid: { mrr: 0.25, candidates: 50 } }]);
  });
});
