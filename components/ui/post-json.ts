/** Browser-side POST of JSON to our API; problem+json answers become a message and field errors. */
export type PostResult<T> =
  | { ok: true; data: T }
  | {
      ok: false;
      status: number;
      message: string;
      fields: Record<string, string>;
      /** The problem's error code (from its `type` URI), e.g. "step_up_required". */
      code?: string;
    };

type ProblemBody = { type?: string; detail?: string; errors?: { path: string; message: string }[] };

const PROBLEM_TYPE_BASE = "urn:keyward:problem:";

export async function postJson<T>(url: string, body: unknown): Promise<PostResult<T>> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch {
    return {
      ok: false,
      status: 0,
      message: "Keyward could not be reached. Check your connection.",
      fields: {},
    };
  }
  const data = (await response.json().catch(() => ({}))) as unknown;
  if (response.ok) return { ok: true, data: data as T };
  const problem = data as ProblemBody;
  const fields: Record<string, string> = {};
  for (const issue of problem.errors ?? []) fields[issue.path] ??= issue.message;
  const code = problem.type?.startsWith(PROBLEM_TYPE_BASE)
    ? problem.type.slice(PROBLEM_TYPE_BASE.length)
    : undefined;
  return {
    ok: false,
    status: response.status,
    message: problem.detail ?? "Something went wrong.",
    fields,
    ...(code ? { code } : {}),
  };
}
