/** Analytics date ranges: inclusive UTC days as YYYY-MM-DD, the api's format. */
export interface DateRange {
  from: string;
  to: string;
}

export const rangePresets = [
  { id: "7d", label: "Last 7 days", days: 7 },
  { id: "30d", label: "Last 30 days", days: 30 },
  { id: "90d", label: "Last 90 days", days: 90 },
] as const;

export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The last `days` days up to and including `today`. */
export function lastDays(days: number, today: Date): DateRange {
  const to = isoDay(today);
  const from = isoDay(new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000));
  return { from, to };
}

/** "Mar 4" for axis labels. */
export function shortDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString("en-US", {
    month: "short",
    day: "numeric",
    timeZone: "UTC",
  });
}
