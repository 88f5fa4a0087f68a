/**
 * Text matching shared by rule conditions and canned-response search:
 * case-insensitive and accent-insensitive ("Téléphone" matches "telephone"),
 * on whole words.
 */

/** Lower-cases and strips accents (NFD, combining marks removed). */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
}

/** The folded words of a text: runs of letters and digits. */
export function words(text: string): string[] {
  return foldText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * True when `text` contains `phrase` as a sequence of whole words: "phone
 * overheating" matches "My phone, overheating again!" but not
 * "smartphone overheating". A phrase without any word never matches.
 */
export function containsPhrase(text: string, phrase: string): boolean {
  const wanted = words(phrase);
  if (wanted.length === 0) return false;
  return ` ${words(text).join(' ')} `.includes(` ${wanted.join(' ')} `);
}

/** Folded equality, ignoring surrounding spaces. */
export function sameText(a: string, b: string): boolean {
  return foldText(a.trim()) === foldText(b.trim());
}

/** Folded prefix test (`starts_with`), ignoring leading spaces. */
export function startsWithText(text: string, prefix: string): boolean {
  return foldText(text.trimStart()).startsWith(foldText(prefix.trimStart()));
}
