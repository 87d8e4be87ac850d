import { z } from "zod";

import { NUL_MESSAGE, withoutNul } from "./no-nul.ts";

/** The free-text search of every list (users, clients): the UI's search box and the API's `q`. */
export const searchTextSchema = z
  .string()
  .trim()
  .max(100, "Search for at most 100 characters.")
  .refine(withoutNul, NUL_MESSAGE)
  .optional();
