// No answer shows a path of the server: the teacher runs the explorer opens are hidden like the served runs, and any
// absolute path is shortened — except Freebase names (FB15k-237's entities and relations look like paths).
import { describe, expect, it } from 'vitest';
import { withoutPaths } from '../../src/serve/server.js';
import { isVocabularyKey, sentStrings } from '../../src/serve/hide-paths.js';
import { TeacherPool } from '../../src/serve/teacher-comparison.js';

const fb15k = [{ header: { vocab: { entities: ['/m/027rn', '/m/0d060g'], relations: ['/film/film/genre', '/film/actor/film./film/performance/film'] } } }];
const isName = (candidate: string): boolean => isVocabularyKey(fb15k, candidate);

describe('withoutPaths', () => {
  it('shortens absolute paths under any root, not only the common ones', () => {
    expect(withoutPaths("teacher 't1' could not be opened: /app/teachers/t1/best.json: binary part of the checkpoint is missing", [], isName))
      .toBe("teacher 't1' could not be opened: …/best.json: binary part of the checkpoint is missing");
    expect(withoutPaths("teacher 't1' could not be opened: /scratch/alice/teachers/t1/best.json: ENOENT", [], isName)).toBe("teacher 't1' could not be opened: …/best.json: ENOENT");
    expect(withoutPaths("teacher 't1' could not be opened: /workspace/kd/teachers/t1: not a run directory", [], isName)).toBe("teacher 't1' could not be opened: …/t1: not a run directory");
    expect(withoutPaths('dataset x not loaded (/gpfs/proj/kg/FB15k-237: dataset directory not found)')).toBe('dataset x not loaded (…/FB15k-237: dataset directory not found)');
    for (const root of ['/lustre', '/content', '/kaggle/input']) expect(withoutPaths(`open '${root}/run/best.bin'.`)).toBe("open '…/best.bin'.");
  });

  it('keeps Freebase names visible: the vocabulary\'s keys, and ids such as /m/027rn', () => {
    const text = "unknown entity '/m/0zzzz'; did you mean: /m/027rn, /m/0d060g, /film/film/genre, /film/actor/film./film/performance/film?";
    expect(withoutPaths(text, [], isName)).toBe(text);
    expect(withoutPaths("relation '/film/film/genre⁻¹' of /app/x/y", [], isName)).toBe("relation '/film/film/genre⁻¹' of …/y");
    expect(withoutPaths('see http://example.org/docs/serve and runs/t1/best.json', [], isName)).toBe('see http://example.org/docs/serve and runs/t1/best.json');
  });

  it('hides the teacher runs the explorer opens, spaces included, through TeacherPool.privateDirs', async () => {
    const pool = new TeacherPool(() => []);
    const dir = '/nowhere/kd runs/teachers/t1';
    pool.prepare([{ name: 't1', dir }]);
    const failed = await pool.get({ name: 't1', dir });
    expect(failed).toMatchObject({ status: 'failed' });
    const message = `teacher 't1' could not be opened: ${dir}/best.json: not found`;
    const hidden = withoutPaths(message, pool.privateDirs(), isName);
    expect(hidden).not.toContain('/nowhere');
    expect(hidden).not.toContain('kd runs');
    expect(pool.privateDirs()).toEqual(expect.arrayContaining([dir, '/nowhere/kd runs/teachers']));
    pool.close();
  });
});

describe('sentStrings', () => {
  it("collects a request's query and body strings, list items too; withoutPaths then shows them as sent", () => {
    const sent = sentStrings({ head: '/film/foo/bar', k: '3' }, { relation: '/film/genres', tails: ['/a/b/c', 4], nested: { x: '/no/t/this' } });
    expect([...sent].sort()).toEqual(['/a/b/c', '/film/foo/bar', '/film/genres', '3']);
    expect(withoutPaths("unknown relation '/film/genres' (dataset /srv/data/fb)", [], (c) => sent.has(c))).toBe("unknown relation '/film/genres' (dataset …/fb)");
    expect(sentStrings(undefined, null, 'text')).toEqual(new Set());
  });
});
