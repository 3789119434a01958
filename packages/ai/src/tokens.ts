/** About four characters a token for English text: sizes chunks and fills in usage a server did not report. */
export function countTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
