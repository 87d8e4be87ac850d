/** The honest state of an area whose feature has not shipped yet: no fake data, no dead controls. */
export function PlannedArea({ title, description }: { title: string; description: string }) {
  return (
    <section aria-labelledby="area-title">
      <h1 id="area-title" className="text-2xl font-semibold">
        {title}
      </h1>
      <div className="mt-6 rounded-xl border border-dashed border-slate-300 p-8 text-center dark:border-slate-700">
        <p className="font-medium">Not available yet</p>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{description}</p>
      </div>
    </section>
  );
}
