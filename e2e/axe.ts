import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";

/** The rules of WCAG 2.1 levels A and AA: what issue 13 holds every page to. */
export const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/**
 * axe-core's WCAG 2.1 AA violations on the page as it is now, one readable line each: rule id,
 * impact, what it asks, and the selectors of the offending elements, so a failure says what to fix
 * without opening a trace.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  return results.violations.map((violation) => {
    const targets = violation.nodes.map((node) => node.target.join(" ")).join(", ");
    // The first element's own explanation, e.g. the contrast ratio and both colours it measured.
    const why = violation.nodes[0]?.failureSummary?.replace(/\s*\n\s*/g, " ") ?? "";
    return `${violation.id} (${violation.impact ?? "unknown"}): ${violation.help} — ${targets} — ${why}`;
  });
}
