/**
 * Calendar parts of an instant in the wall time it was written in (zone-less cells are UTC wall
 * time; zoned cells their own zone's): what profile, compare and training derive from dates.
 * Days of the week count from Monday = 0, as pandas' `dayofweek`.
 */
import type { DatetimeColumn } from '../table';

export const MS_PER_DAY = 86_400_000;

export interface CalendarParts {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  /** 1..31 */
  readonly day: number;
  /** Monday = 0 .. Sunday = 6 */
  readonly dayOfWeek: number;
  /** Hours since midnight, with the fraction of the hour (0 <= hour < 24). */
  readonly hour: number;
  /** Milliseconds since midnight. */
  readonly msOfDay: number;
}

/** Year, month and day of a count of days since 1970-01-01 (H. Hinnant's civil_from_days). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Parts of a wall-clock time given as milliseconds since 1970-01-01T00:00 of that clock. */
export function calendarParts(localMs: number): CalendarParts {
  const days = Math.floor(localMs / MS_PER_DAY);
  const msOfDay = localMs - days * MS_PER_DAY;
  const { year, month, day } = civilFromDays(days);
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  const dayOfWeek = (((days + 3) % 7) + 7) % 7;
  return { year, month, day, dayOfWeek, hour: msOfDay / 3_600_000, msOfDay };
}

/** The wall time of row `i` (NaN when missing): the instant moved by its cell's offset, if any. */
export function localTime(column: DatetimeColumn, i: number): number {
  const v = column.values[i];
  const off = column.offsets;
  return off === undefined ? v : v + off[i] * 60_000;
}
