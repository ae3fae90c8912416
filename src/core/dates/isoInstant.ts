/**
 * An instant as ISO 8601 text, for people and JSON: `2012-01-31` for a date column,
 * `2012-01-31T10:30:00` for a zone-less time (read as UTC wall time, so printed as written),
 * `2012-01-31T10:30:00+02:00` (or `Z`) when the cell carried an offset, which is kept.
 * Milliseconds are shown when they are not zero.
 */
export function isoInstant(ms: number, dateOnly: boolean, offsetMinutes?: number): string {
  const local = new Date(ms + (offsetMinutes ?? 0) * 60000).toISOString();
  if (dateOnly) return local.slice(0, 10);
  const base = local.endsWith('.000Z') ? local.slice(0, 19) : local.slice(0, 23);
  if (offsetMinutes === undefined) return base;
  return base + offsetText(offsetMinutes);
}

/** `Z` for UTC, else `+hh:mm` / `-hh:mm`. */
export function offsetText(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'Z';
  const sign = offsetMinutes < 0 ? '-' : '+';
  const m = Math.abs(offsetMinutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}
