/**
 * A box that scrolls sideways on narrow screens and that keyboard users can scroll too: focusable
 * (arrow keys scroll it) and named for screen readers, as WCAG 2.1.1 asks of a scrolling region
 * with nothing focusable inside (axe's scrollable-region-focusable). The global :focus-visible
 * ring shows where focus is.
 */
export function ScrollRegion({
  label,
  className = "",
  children,
}: {
  label: string;
  className?: string;
  children: React.ReactNode;
}) {
  return (
    <div role="region" aria-label={label} tabIndex={0} className={`overflow-x-auto ${className}`}>
      {children}
    </div>
  );
}
