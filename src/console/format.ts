/**
 * Numbers, shares, durations and times as the console prints them (en-US digits, times with their zone).
 */

export const count = (value: number): string => value.toLocaleString('en-US');

/** A share 0–1 as a percentage with one decimal, e.g. `97.3 %`. */
export const percent = (share: number | undefined): string => (share === undefined ? '—' : `${(share * 100).toFixed(1)} %`);

/** `850 ms`, `12.4 s`, `3 min 05 s`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')} s`;
}

/** A time in a time zone with the zone's abbreviation, e.g. `Mon, Dec 7, 2026, 06:00 CET`. */
export function timeInZone(at: Date | string | number, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(new Date(at));
}

/** A time in UTC to the minute, for tables: `2026-12-03 16:20 UTC`. */
export function utcTime(at: string | number | Date): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Signed change, e.g. `+12`, `−3`, `±0`. */
export function signed(value: number): string {
  if (value === 0) return '±0';
  return value > 0 ? `+${count(value)}` : `−${count(-value)}`;
}

/** `1 member`, `2 members`. */
export const members = (value: number): string => `${count(value)} member${value === 1 ? '' : 's'}`;
