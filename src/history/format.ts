/** Number, share, time and duration formats the history tables share. */

export const formatCount = (value: number): string => value.toLocaleString('en-US');

/** A signed change, e.g. `+12`, `-3`, `0`; `—` when unknown. */
export const formatChange = (value: number | null): string => (value === null ? '—' : value > 0 ? `+${formatCount(value)}` : formatCount(value));

/** A share 0–1 as a percentage with one decimal; `—` when unknown. */
export const formatShare = (value: number | null): string => (value === null ? '—' : `${Math.round(value * 1000) / 10}%`);

/** An ISO 8601 time as `2026-12-03 07:00:12Z`. */
export const formatTime = (iso: string): string => iso.replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');

/** Milliseconds as `0.4 s`, `12 s`, `3 min 5 s`; `running` when null. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return 'running';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
