/** A run id: `<campaign>-<UTC time to the second>`, e.g. `shoes-20241216T020151Z`. Sortable, file-name safe. */
export function makeRunId(campaign: string, at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `${campaign}-${stamp}`;
}
