"use client";

import { usePathname, useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState, useSyncExternalStore, type KeyboardEvent } from "react";

import { PaletteOptions, type PaletteGroup } from "@/components/palette/palette-options";
import { useConsoleSearch } from "@/components/palette/use-console-search";
import type { NavLink } from "@/lib/policy/navigation";
import { matchPages } from "@/lib/search/match-pages";
import type { SearchHit } from "@/lib/search/search-schemas";

const noSubscription = () => () => {};
/** Apple keyboards say ⌘K; the server renders "Ctrl K" and the browser corrects it after hydration. */
const isApple = () => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

function opensPalette(event: globalThis.KeyboardEvent): boolean {
  return (
    (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "k"
  );
}

/**
 * The command palette: a Search button (and Ctrl-K / ⌘K from anywhere) opens a modal dialog whose
 * combobox jumps to a page, user, role or API client by part of its name. Pages match at once from
 * `pages` (the sidebar's links); the rest come from GET /api/v1/search, which answers only what the
 * user may open. Up and Down move, Enter opens, Escape closes.
 */
export function CommandPalette({ pages }: { pages: NavLink[] }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const router = useRouter();
  const pathname = usePathname();
  const apple = useSyncExternalStore(noSubscription, isApple, () => false);
  const id = useId();
  const listId = `${id}-results`;
  const optionId = (index: number) => `${id}-option-${index}`;

  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const search = useConsoleSearch(query);

  const groups: PaletteGroup[] = [
    { kind: "pages", label: "Pages", hits: matchPages(pages, query) },
    { kind: "users", label: "Users", hits: search.data?.users ?? [] },
    { kind: "roles", label: "Roles", hits: search.data?.roles ?? [] },
    { kind: "clients", label: "API clients", hits: search.data?.clients ?? [] },
  ].filter((group) => group.hits.length > 0);
  const options = groups.flatMap((group) => group.hits);
  const activeIndex = options.length === 0 ? -1 : Math.min(active, options.length - 1);
  const expanded = options.length > 0;

  useEffect(() => {
    function onKeyDown(event: globalThis.KeyboardEvent) {
      if (!opensPalette(event)) return;
      event.preventDefault();
      if (!dialog.current?.open) dialog.current?.showModal();
      input.current?.focus();
      input.current?.select();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, []);

  // Whatever navigates (an option, a link, Back), the palette does not stay open over the new page.
  useEffect(() => {
    dialog.current?.close();
  }, [pathname]);

  useEffect(() => {
    if (activeIndex >= 0)
      document.getElementById(optionId(activeIndex))?.scrollIntoView({ block: "nearest" });
  });

  function open() {
    dialog.current?.showModal();
    input.current?.focus();
  }

  function pick(hit: SearchHit) {
    dialog.current?.close();
    router.push(hit.href);
  }

  function onInputKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (options.length === 0) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive((activeIndex + step + options.length) % options.length);
    } else if (event.key === "Enter") {
      event.preventDefault();
      const hit = options[activeIndex];
      if (hit) pick(hit);
    }
  }

  const typed = query.trim() !== "";
  const status = !typed
    ? "Type part of a page's title or of a user's, role's or client's name."
    : search.loading
      ? "Searching…"
      : search.failed
        ? "The search did not answer. Try again."
        : options.length === 0
          ? "No matches"
          : `${options.length} ${options.length === 1 ? "result" : "results"}`;

  return (
    <>
      <button
        type="button"
        onClick={open}
        aria-haspopup="dialog"
        aria-keyshortcuts="Control+K Meta+K"
        className="inline-flex items-center gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-700 hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:border-slate-700 dark:bg-slate-900 dark:text-slate-300 dark:hover:bg-slate-800"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="size-4">
          <path
            fillRule="evenodd"
            d="M9 3.5a5.5 5.5 0 1 0 3.4 9.83l3.63 3.64a.75.75 0 1 0 1.06-1.06l-3.63-3.64A5.5 5.5 0 0 0 9 3.5ZM5 9a4 4 0 1 1 8 0 4 4 0 0 1-8 0Z"
            clipRule="evenodd"
          />
        </svg>
        <span>Search</span>
        <kbd
          aria-hidden="true"
          className="hidden rounded border border-slate-300 px-1.5 font-sans text-xs text-slate-600 sm:inline dark:border-slate-600 dark:text-slate-400"
        >
          {apple ? "⌘K" : "Ctrl K"}
        </kbd>
      </button>
      <dialog
        ref={dialog}
        aria-label="Search"
        onClose={() => {
          setQuery("");
          setActive(0);
        }}
        // A tap on the backdrop (outside the panel) closes it, as Escape does.
        onClick={(event) => {
          if (event.target === event.currentTarget) dialog.current?.close();
        }}
        className="mx-auto mt-[10vh] max-h-[80dvh] w-[calc(100%-2rem)] max-w-xl flex-col overflow-hidden rounded-xl border border-slate-200 bg-white p-0 text-slate-900 shadow-2xl backdrop:bg-slate-950/50 open:flex dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        <div className="flex items-center gap-2 border-b border-slate-200 p-2 dark:border-slate-700">
          <label htmlFor={`${id}-input`} className="sr-only">
            Search pages, users, roles and API clients
          </label>
          <input
            ref={input}
            id={`${id}-input`}
            type="text"
            role="combobox"
            aria-expanded={expanded}
            aria-controls={expanded ? listId : undefined}
            aria-activedescendant={activeIndex >= 0 ? optionId(activeIndex) : undefined}
            aria-autocomplete="list"
            autoComplete="off"
            spellCheck={false}
            maxLength={100}
            placeholder="Search pages, users, roles, clients…"
            value={query}
            onChange={(event) => {
              setQuery(event.target.value);
              setActive(0);
            }}
            onKeyDown={onInputKeyDown}
            className="min-w-0 flex-1 rounded-md bg-transparent px-2 py-2 text-base placeholder:text-slate-500 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:placeholder:text-slate-400"
          />
          <button
            type="button"
            onClick={() => dialog.current?.close()}
            className="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-100 focus-visible:ring-2 focus-visible:ring-indigo-500 focus-visible:outline-none dark:text-slate-400 dark:hover:bg-slate-800"
          >
            Close
          </button>
        </div>
        {expanded && (
          <PaletteOptions
            id={listId}
            groups={groups}
            activeIndex={activeIndex}
            optionId={optionId}
            onPick={pick}
            onHover={setActive}
          />
        )}
        <div className="flex items-center justify-between gap-4 border-t border-slate-200 px-4 py-2 text-sm text-slate-600 dark:border-slate-700 dark:text-slate-400">
          <p role="status" aria-live="polite">
            {status}
          </p>
          <p aria-hidden="true" className="hidden shrink-0 text-xs sm:block">
            ↑↓ move · Enter open · Esc close
          </p>
        </div>
      </dialog>
    </>
  );
}
