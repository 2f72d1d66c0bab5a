/** Quoting a word for a POSIX shell, so that the commands kgdistill prints (resume, eval) can be pasted as they are. */

/** `word` as one shell word: unchanged when it has only safe characters, else in single quotes (a ' inside as '\''). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
