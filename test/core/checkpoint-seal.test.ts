// sealProblem on hand-made header fields: every key the seal covers is compared both ways (a key deleted from the
// header as well as one changed), the relation vocabulary as well as the entities', and a seal whose floats are not
// bytes is refused rather than wrapped modulo 256.
import { describe, expect, it } from 'vitest';
import { sealArray, sealProblem, type SealedFields } from '../../src/core/checkpoint-seal.js';

function fields(): SealedFields {
  return {
    model: { model: 'TransE', dim: 8, numEntities: 40, numRelations: 4, options: { norm: 1, initScale: 0.1 } },
    vocab: { entities: ['e0', 'e1', 'e2'], relations: ['r0', 'r1'] },
    arrays: [{ name: 'param:entity', offset: 0, length: 320 }, { name: 'param:relation', offset: 320, length: 64 }],
  };
}

describe('sealProblem', () => {
  it('agrees with the fields it was made from', () => {
    expect(sealProblem(fields(), sealArray(fields()), 'best-x.bin')).toBeUndefined();
  });

  it('names an option deleted from the header: absent now, its value at saving', () => {
    const edited = fields();
    delete edited.model.options.norm;
    expect(sealProblem(edited, sealArray(fields()), 'best-x.bin')).toEqual({
      inBinary: false,
      reason: 'model.options.norm is absent, but its binary best-x.bin was saved with 1: the header was edited (a checkpoint\'s model, ' +
        'vocabularies and array index are sealed in its binary); restore model.options.norm to 1, or train the model you meant',
    });
    // and an option added to the header that the seal does not have
    const added = fields();
    added.model.options.extra = true;
    expect(sealProblem(added, sealArray(fields()), 'best-x.bin')?.reason).toMatch(/^model\.options\.extra is true, but its binary best-x\.bin was saved with absent:/);
  });

  it('names numEntities and numRelations edited in the header', () => {
    const entities = fields();
    entities.model.numEntities = 41;
    expect(sealProblem(entities, sealArray(fields()), 'best-x.bin')?.reason).toMatch(/^model\.numEntities is 41, but its binary best-x\.bin was saved with 40: /);
    const relations = fields();
    relations.model.numRelations = 3;
    expect(sealProblem(relations, sealArray(fields()), 'best-x.bin')?.reason).toMatch(/^model\.numRelations is 3, but its binary best-x\.bin was saved with 4: /);
  });

  it('names the relation vocabulary reordered in the header', () => {
    const swapped = fields();
    swapped.vocab.relations = ['r1', 'r0'];
    expect(sealProblem(swapped, sealArray(fields()), 'best-x.bin')).toEqual({
      inBinary: false,
      reason: 'vocab.relations is not the list of names its binary best-x.bin was saved with (renamed, reordered, added or removed): ' +
        'the header was edited, and its rows would answer for other names; restore the header',
    });
  });

  it('refuses a seal float above 255 (a damaged binary), instead of reading it modulo 256', () => {
    const floats = sealArray(fields());
    expect(floats[0]).toBe(123); // '{'
    floats[0] = 123 + 256; // Uint8Array.from would wrap it back to '{' and read an intact seal
    expect(sealProblem(fields(), floats, 'best-x.bin')).toEqual({
      inBinary: true,
      reason: "its array 'header-seal' is not a checkpoint seal (damaged, or not written by kgdistill)",
    });
  });
});
