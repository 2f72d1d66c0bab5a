/** English plurals of the nouns that messages count ("1 triple", "2 triples"). */

/** `word` as it follows the count `n`: the word itself for exactly one, else with an "s". */
export function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
