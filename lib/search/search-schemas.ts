import { z } from "zod";

import { CLEAN_TEXT_MESSAGE, isCleanText } from "../http/no-nul.ts";

/**
 * The command palette's query: what the user typed, trimmed, 1 to 100 characters of clean text
 * (no NUL, no lone surrogate), so that hostile input meets a 400 naming `q`, never the database.
 */
export const consoleSearchSchema = z.object({
  q: z
    .string()
    .trim()
    .min(1, "Type something to search for.")
    .max(100, "Search for at most 100 characters.")
    .refine(isCleanText, CLEAN_TEXT_MESSAGE)
    .describe("Part of a page's title, or of a user's name or email, a role's or a client's name."),
});
export type ConsoleSearchInput = z.infer<typeof consoleSearchSchema>;

/** One thing the palette can open: what to show, a second line, and where it leads. */
export const searchHitSchema = z.object({
  id: z.string().describe("The object's id; the path for a page."),
  label: z.string(),
  detail: z.string().describe("A second line: the email, the description, the owner."),
  href: z.string().describe("The console page that opens it."),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

/** Results by kind; a kind the caller may not list is always empty (never an error). */
export const consoleSearchResultSchema = z.object({
  pages: z.array(searchHitSchema),
  users: z.array(searchHitSchema),
  roles: z.array(searchHitSchema),
  clients: z.array(searchHitSchema),
});
export type ConsoleSearchResult = z.infer<typeof consoleSearchResultSchema>;
