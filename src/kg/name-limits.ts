/**
 * How long a name and a line of a triple file may be, in one place: every reader refuses more (the field checks of
 * triple-format.ts's `recordAcceptor`, which the tab fast path of tab-triples.ts hands long names to; the line readers
 * line-source.ts and tab-triples.ts, and the CSV reader's utf8-check-stream.ts; bytes-dataset.ts's triples held in
 * memory), and the service's requests (serve/schemas.ts) accept every name up to the same length, so a model never
 * holds a name that cannot be asked for. No Node module: the page's reader uses it too.
 */

/**
 * Longest entity or relation name, in characters (a string's length, UTF-16 code units, as the service counts):
 * 4,096. Long IRIs fit (Wikidata's and Freebase's ids are under 50 characters, DBpedia's resource URLs a few hundred;
 * FB15k-237's longest name has 146 characters, WN18RR's 28), while a name of megabytes — a file whose delimiter or
 * line ends were not what the reader took them for — is refused at its line instead of filling the model's files.
 */
export const MAX_NAME_LENGTH = 4096;

/**
 * Longest line a triple file may have, in bytes: 256 MiB. No real line comes near it (three names of at most
 * 4,096 characters, or a wider file's columns); what passes it is a file without the line ends the reader expects.
 * With the 4 MiB the readers read at a time, the text decoded at once stays under the longest string V8 makes
 * (0x1fffffe8 characters, 512 MiB), whose own error named no line.
 */
export const MAX_LINE_BYTES = 256 << 20;

/** `n` with thousands separators ("104,857,600"). */
const count = (n: number): string => n.toLocaleString('en-US');

/** A name in `role` that is too long, in words: `an entity name of 104,857,600 characters (at most 4,096)`. */
export function longNameWords(role: 'head' | 'relation' | 'tail', length: number): string {
  return `${role === 'relation' ? 'a relation name' : 'an entity name'} of ${count(length)} characters (at most ${count(MAX_NAME_LENGTH)})`;
}

/**
 * Why the name in a file's field `role` is refused: `an entity name of 104,857,600 characters (at most 4,096) in the
 * head field: is a delimiter or a line ending missing? (see --delimiter)`; without `flagHints` the hint names no flag.
 */
export function nameTooLongReason(role: 'head' | 'relation' | 'tail', length: number, flagHints = true): string {
  return `${longNameWords(role, length)} in the ${role} field: is a delimiter or a line ending missing?${flagHints ? ' (see --delimiter)' : ''}`;
}

/** Why a line is refused once more than `maxBytes` of it were read without its end. */
export function lineTooLongReason(maxBytes = MAX_LINE_BYTES): string {
  const mib = maxBytes / 2 ** 20;
  const size = Number.isInteger(mib) ? ` (${count(mib)} MiB)` : '';
  return `a line longer than ${count(maxBytes)} bytes${size}, the most a line may hold: is a line ending missing?`;
}

/** A control character (U+0000–U+001F, U+007F): no name holds one (a NUL in a name is a damaged or binary file). */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Why `name` (an entity's or a relation's) is refused, or undefined when it holds no control character. */
export function controlCharacterReason(kind: 'entity' | 'relation', name: string): string | undefined {
  const at = name.search(CONTROL_CHARACTER);
  if (at < 0) return undefined;
  const code = `U+${name.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0')}`;
  return `the ${kind} name ${JSON.stringify(name.slice(0, 80))}${name.length > 80 ? '…' : ''} holds a control character (${code}): names are printable text, and a NUL or other control byte usually means a damaged or binary file`;
}
