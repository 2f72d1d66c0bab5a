// The service's requests take every name a model can hold: the limit on a name is the triple readers' own
// (kg/name-limits.ts), so no entity read from a file is out of reach of `serve`.
import { describe, expect, it } from 'vitest';
import { MAX_NAME, neighborsSchemas, predictSchemas } from '../../src/serve/schemas.js';
import { MAX_NAME_LENGTH } from '../../src/kg/name-limits.js';

describe('the service\'s name limit', () => {
  it('is the readers\' MAX_NAME_LENGTH', () => {
    expect(MAX_NAME).toBe(MAX_NAME_LENGTH);
  });

  it('accepts a name of MAX_NAME_LENGTH characters by query and body, and refuses one more', () => {
    const longest = 'n'.repeat(MAX_NAME_LENGTH);
    const { query, body } = neighborsSchemas(100);
    expect(query.safeParse({ entity: longest }).success).toBe(true);
    expect(body.safeParse({ entity: longest }).success).toBe(true);
    expect(predictSchemas(100).body.safeParse({ head: longest, relation: longest, tail: longest }).success).toBe(true);
    const refused = body.safeParse({ entity: `${longest}n` });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toMatch(new RegExp(`^entity must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`));
  });
});
