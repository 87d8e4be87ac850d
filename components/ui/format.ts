const formatter = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

/** Dates are shown in UTC with the zone named, the same for every viewer and in every export. */
export function formatDate(date: Date | null | undefined, never = "Never"): string {
  return date ? `${formatter.format(date)} UTC` : never;
}
