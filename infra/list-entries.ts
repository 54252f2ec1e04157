/**
 * The entries of a list setting (codec keys, API tokens): separated by commas or new lines, `#`
 * starting a comment line, blanks dropped.
 */
export function listEntries(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}
