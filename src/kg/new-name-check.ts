/**
 * The check of the names a triple reader adds to its vocabularies: each new name is looked at once, when the triple
 * that brought it is read, so that a name no file kgdistill writes could hold (a control character) is refused at its
 * file and line. A triple of known names costs two comparisons.
 */
import { KgInputError } from './errors.js';
import { controlCharacterReason } from './name-limits.js';
import type { NameTable } from './name-table.js';

/** A function to call after each triple's ids are taken: it checks the names the tables gained since its last call. */
export function newNameCheck(file: string, entities: NameTable, relations: NameTable): (line: number) => void {
  let checkedEntities = entities.names.length;
  let checkedRelations = relations.names.length;
  const checkFrom = (table: NameTable, from: number, kind: 'entity' | 'relation', line: number): void => {
    for (let id = from; id < table.names.length; id++) {
      const reason = controlCharacterReason(kind, table.names[id]!);
      if (reason !== undefined) throw new KgInputError(file, line, reason);
    }
  };
  return (line) => {
    if (entities.names.length !== checkedEntities) {
      checkFrom(entities, checkedEntities, 'entity', line);
      checkedEntities = entities.names.length;
    }
    if (relations.names.length !== checkedRelations) {
      checkFrom(relations, checkedRelations, 'relation', line);
      checkedRelations = relations.names.length;
    }
  };
}
