import { z } from "zod";

/** A page request of the permission catalog, as the picker sends it (search text and cursor). */
export const catalogPageSchema = z.object({
  query: z.string().trim().max(100, "A search has at most 100 characters.").default(""),
  cursor: z.string().trim().max(120).default(""),
});
