"use client";

import { useEffect, useId, useMemo, useRef, useState, useTransition } from "react";

import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import type { CatalogGroup, CatalogPage, CatalogPermission } from "@/lib/apis/permission-catalog";
import type { ActionState } from "@/lib/http/action";

import { filterGroups, mergeGroups } from "./catalog-filter";

/**
 * Loads a page of the catalog: a server action (lib/http/action.ts, `read: true`, schema
 * lib/apis/catalog-schema.ts) the page passes in, since components import nothing from app/.
 */
export type CatalogLoader = (
  previous: ActionState<CatalogPage>,
  form: FormData,
) => Promise<ActionState<CatalogPage>>;

async function fetchPage(load: CatalogLoader, query: string, cursor: string | null): Promise<CatalogPage> {
  const form = new FormData();
  form.set("query", query);
  if (cursor) form.set("cursor", cursor);
  const state = await load({ status: "idle" }, form);
  if (state.status === "error") throw new Error(state.message);
  return state.status === "ok" && state.data ? state.data : { groups: [], nextCursor: null };
}

/**
 * Permissions of the registered APIs, grouped by API (one fieldset each), with a search box.
 * The chosen ids are submitted as hidden `name` fields, not by the checkboxes: a permission chosen
 * at an API that is filtered out or not loaded yet stays chosen, and one the actor may not remove
 * stays too. What the actor may not grant is disabled with the reason; a deprecated permission is
 * flagged and cannot be newly chosen (one already granted can be kept or removed).
 */
export function ApiPermissionPicker({
  groups: initialGroups,
  nextCursor: initialCursor,
  chosen = [],
  load,
  name = "apiPermissionIds",
  legend = "Permissions of other APIs",
  locked = false,
  error,
}: {
  /** The first page of the catalog. */
  groups: CatalogGroup[];
  nextCursor: string | null;
  /** The permissions chosen now (e.g. a role's grants), wherever they are in the catalog. */
  chosen?: CatalogGroup[];
  load?: CatalogLoader;
  name?: string;
  legend?: string;
  /** Nothing can change (a built-in role). */
  locked?: boolean;
  error?: string;
}) {
  const id = useId();
  const initiallyChosen = useMemo(
    () => new Set(chosen.flatMap((group) => group.permissions.map((p) => p.id))),
    [chosen],
  );
  const [selected, setSelected] = useState<Set<string>>(() => new Set(initiallyChosen));
  const [loaded, setLoaded] = useState<CatalogGroup[]>(initialGroups);
  const [cursor, setCursor] = useState(initialCursor);
  const [query, setQuery] = useState("");
  const [search, setSearch] = useState<{ query: string; page: CatalogPage } | null>(null);
  const [pending, startTransition] = useTransition();
  const [failure, setFailure] = useState<string | null>(null);
  const latest = useRef("");

  const term = query.trim().toLowerCase();
  // The server has APIs we have not loaded: a search must ask it, not only filter what is here.
  const partial = initialCursor !== null;

  useEffect(() => {
    latest.current = term;
    if (!load || !partial || term === "") return;
    const timer = setTimeout(() => {
      startTransition(async () => {
        try {
          const page = await fetchPage(load, term, null);
          if (latest.current === term) setSearch({ query: term, page });
          setFailure(null);
        } catch (error) {
          setFailure(error instanceof Error ? error.message : "The search failed.");
        }
      });
    }, 250);
    return () => clearTimeout(timer);
  }, [term, load, partial]);

  const activeSearch = search && search.query === term && term !== "" ? search : null;
  const shown = filterGroups(
    mergeGroups(term === "" ? [chosen, loaded] : [chosen, loaded, activeSearch?.page.groups ?? []]),
    term,
  );
  const moreCursor = term === "" ? cursor : (activeSearch?.page.nextCursor ?? null);
  const count = shown.reduce((sum, group) => sum + group.permissions.length, 0);

  const loadMore = () => {
    if (!load || !moreCursor) return;
    startTransition(async () => {
      let page: CatalogPage;
      try {
        page = await fetchPage(load, term, moreCursor);
        setFailure(null);
      } catch (error) {
        setFailure(error instanceof Error ? error.message : "Loading more APIs failed.");
        return;
      }
      if (term === "") {
        setLoaded((groups) => mergeGroups([groups, page.groups]));
        setCursor(page.nextCursor);
      } else if (latest.current === term) {
        setSearch((prev) => ({
          query: term,
          page: { groups: mergeGroups([prev?.page.groups ?? [], page.groups]), nextCursor: page.nextCursor },
        }));
      }
    });
  };

  const toggle = (permission: CatalogPermission, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(permission.id);
      else next.delete(permission.id);
      return next;
    });

  return (
    <fieldset
      className="flex flex-col gap-3"
      aria-describedby={error ? `${id}-error` : undefined}
      data-testid="api-permission-picker"
    >
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      {[...selected].map((value) => (
        <input key={value} type="hidden" name={name} value={value} />
      ))}
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-search`} className="text-sm font-medium">
          Search APIs and permissions
        </label>
        <input
          id={`${id}-search`}
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          // Enter in the search box searches; it must not submit the surrounding form.
          onKeyDown={(event) => {
            if (event.key === "Enter") event.preventDefault();
          }}
          maxLength={100}
          placeholder="Orders API, orders.read…"
          className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900"
        />
      </div>
      <p aria-live="polite" className="text-xs text-slate-600 dark:text-slate-400">
        {selected.size} chosen.{" "}
        {term !== "" &&
          (pending
            ? "Searching…"
            : `${count} permission${count === 1 ? "" : "s"} match${count === 1 ? "es" : ""}.`)}
      </p>
      {shown.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {term !== "" ? "No API or permission matches." : "No other API is registered yet."}
        </p>
      ) : (
        shown.map(({ api, permissions }) => (
          <fieldset
            key={api.id}
            className="rounded-lg border border-slate-200 p-3 dark:border-slate-800"
            data-api={api.name}
          >
            <legend className="flex flex-wrap items-center gap-2 px-1 text-sm font-medium">
              {api.name}
              <code className="text-xs font-normal text-slate-600 dark:text-slate-400">{api.identifier}</code>
              {api.disabled && <Badge tone="bad">Disabled</Badge>}
            </legend>
            {permissions.length === 0 ? (
              <p className="text-xs text-slate-600 dark:text-slate-400">This API defines no permissions.</p>
            ) : (
              <div className="grid gap-2 sm:grid-cols-2">
                {permissions.map((permission) => {
                  const isChosen = selected.has(permission.id);
                  const newGrant = !initiallyChosen.has(permission.id);
                  const blocked = locked || !permission.grantable || (permission.deprecated && newGrant);
                  const note = !permission.grantable
                    ? permission.reason
                    : permission.deprecated
                      ? newGrant
                        ? "Deprecated: it takes no new grants."
                        : "Deprecated: kept until removed; once removed it cannot be chosen again."
                      : null;
                  return (
                    <label
                      key={permission.id}
                      className="flex items-start gap-2 text-sm has-disabled:opacity-60"
                    >
                      <input
                        type="checkbox"
                        value={permission.id}
                        checked={isChosen}
                        disabled={blocked}
                        onChange={(event) => toggle(permission, event.target.checked)}
                        className="mt-1"
                      />
                      <span>
                        <span className="flex flex-wrap items-center gap-1">
                          <code className="text-xs font-medium">{permission.name}</code>
                          {permission.deprecated && <Badge tone="warn">Deprecated</Badge>}
                        </span>
                        <span className="block text-xs text-slate-600 dark:text-slate-400">
                          {permission.description}
                          {!locked && note && ` ${note}`}
                        </span>
                      </span>
                    </label>
                  );
                })}
              </div>
            )}
          </fieldset>
        ))
      )}
      {load && moreCursor && (
        <div>
          <Button type="button" variant="secondary" pending={pending} onClick={loadMore}>
            Show more APIs
          </Button>
        </div>
      )}
      {failure && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-400">
          {failure}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </fieldset>
  );
}
