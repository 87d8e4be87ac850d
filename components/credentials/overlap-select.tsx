import { selectClass } from "@/components/ui/page-header";

const OVERLAPS = [
  { minutes: 0, label: "None: the old secret stops now" },
  { minutes: 60, label: "1 hour" },
  { minutes: 1440, label: "1 day" },
  { minutes: 10080, label: "7 days" },
];

/** How long a rotated-out secret keeps working (the `overlapMinutes` field of a rotation). */
export function OverlapSelect({ id }: { id: string }) {
  return (
    <div className="mt-4 flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        Keep the old secret working for
      </label>
      <select id={id} name="overlapMinutes" defaultValue="0" className={selectClass}>
        {OVERLAPS.map((overlap) => (
          <option key={overlap.minutes} value={overlap.minutes}>
            {overlap.label}
          </option>
        ))}
      </select>
    </div>
  );
}
