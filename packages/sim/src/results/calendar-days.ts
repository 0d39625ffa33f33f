import { DateTime } from 'luxon';

/** Local midnights (epoch ms) in `timezone` from the day containing `fromMs` through the day containing `toMs`. */
export function dayStarts(options: { fromMs: number; toMs: number; timezone: string }): number[] {
  const starts: number[] = [];
  let day = DateTime.fromMillis(options.fromMs, { zone: options.timezone }).startOf('day');
  while (day.toMillis() <= options.toMs) {
    starts.push(day.toMillis());
    day = day.plus({ days: 1 }).startOf('day');
  }
  return starts;
}

/** `YYYY-MM-DD` of a day start in `timezone`. */
export function dayLabel(options: { atMs: number; timezone: string }): string {
  return DateTime.fromMillis(options.atMs, { zone: options.timezone }).toISODate() ?? '';
}

/**
 * Adds `amount` to `totals`, spread over `[fromMs, toMs)` in proportion to the time each day
 * holds; the parts before the first or after the last day go to that day. A zero-length span
 * goes to the day containing it.
 */
export function spreadOverDays(options: {
  starts: readonly number[];
  totals: number[];
  fromMs: number;
  toMs: number;
  amount: number;
}): void {
  const { starts, totals, fromMs, toMs, amount } = options;
  if (starts.length === 0 || amount === 0) return;
  const dayIndex = (atMs: number): number => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= atMs) low = middle;
      else high = middle - 1;
    }
    return low;
  };
  if (toMs <= fromMs) {
    totals[dayIndex(fromMs)]! += amount;
    return;
  }
  const span = toMs - fromMs;
  const first = dayIndex(fromMs);
  const last = dayIndex(toMs - 1);
  for (let index = first; index <= last; index++) {
    const dayFrom = index === first ? fromMs : starts[index]!;
    const dayTo = index === last ? toMs : starts[index + 1]!;
    totals[index]! += (amount * (dayTo - dayFrom)) / span;
  }
}
