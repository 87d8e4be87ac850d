"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useId } from "react";

import { SignOutButton } from "@/components/auth/sign-out-button";

import { currentHref } from "./current-link";

export type NavLink = { href: string; label: string };
export type Navigation = { groups: { label: string | null; items: NavLink[] }[]; account: NavLink[] };
export type ShellUser = { name: string; email: string };

const linkClass =
  "flex min-h-11 items-center rounded-md px-3 text-sm font-medium text-slate-700 hover:bg-slate-100 hover:text-slate-900 aria-[current=page]:bg-indigo-50 aria-[current=page]:font-semibold aria-[current=page]:text-indigo-700 lg:min-h-9 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-slate-100 dark:aria-[current=page]:bg-indigo-950 dark:aria-[current=page]:text-indigo-300";
const groupLabelClass =
  "mb-1 px-3 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400";

function LinkList({
  items,
  current,
  labelledBy,
  label,
}: {
  items: NavLink[];
  current: string | undefined;
  labelledBy?: string;
  label?: string;
}) {
  return (
    <ul aria-labelledby={labelledBy} aria-label={label} className="flex flex-col gap-0.5">
      {items.map((item) => (
        <li key={item.href}>
          <Link
            href={item.href}
            aria-current={item.href === current ? "page" : undefined}
            className={linkClass}
          >
            {item.label}
          </Link>
        </li>
      ))}
    </ul>
  );
}

/**
 * The console's navigation: the areas in their groups, then the account menu at the foot. The same
 * component fills the desktop sidebar and the phone menu; only one of them is ever displayed, so
 * there is one "Main" navigation for assistive technology at a time.
 */
export function SidebarNav({ navigation, user }: { navigation: Navigation; user: ShellUser }) {
  const pathname = usePathname();
  // Ids differ between the sidebar's copy and the phone menu's copy of this component.
  const id = useId();
  const all = [...navigation.groups.flatMap((group) => group.items), ...navigation.account];
  const current = currentHref(
    pathname,
    all.map((link) => link.href),
  );
  return (
    <nav aria-label="Main" className="flex min-h-0 flex-1 flex-col">
      <div className="flex flex-1 flex-col gap-5 overflow-y-auto px-3 py-4">
        {navigation.groups.map((group, index) =>
          group.label === null ? (
            <LinkList key={index} items={group.items} current={current} />
          ) : (
            <div key={group.label}>
              {/* Visible text, not a heading: the page's own h1 stays the first heading. */}
              <p id={`${id}-group-${index}`} className={groupLabelClass}>
                {group.label}
              </p>
              <LinkList labelledBy={`${id}-group-${index}`} items={group.items} current={current} />
            </div>
          ),
        )}
      </div>
      <div className="border-t border-slate-200 px-3 py-4 dark:border-slate-800">
        <p className="px-3">
          <span className="block truncate text-sm font-medium text-slate-900 dark:text-slate-100">
            {user.name}
          </span>
          <span className="block truncate text-xs text-slate-600 dark:text-slate-400">{user.email}</span>
        </p>
        <div className="mt-2">
          <LinkList label="Account" items={navigation.account} current={current} />
        </div>
        <div className="mt-3 px-3 [&>button]:min-h-11 [&>button]:w-full lg:[&>button]:min-h-9">
          <SignOutButton />
        </div>
      </div>
    </nav>
  );
}
