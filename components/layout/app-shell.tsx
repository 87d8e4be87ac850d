import { SignOutButton } from "@/components/auth/sign-out-button";
import { ToastProvider } from "@/components/ui/toast";

import { CommandPalette } from "./command-palette";
import { NavLinks } from "./nav-links";

type NavLink = { href: string; label: string };

export function AppShell({
  navigation,
  user,
  children,
}: {
  navigation: { groups: { label: string | null; items: NavLink[] }[]; account: NavLink[] };
  user: { name: string; email: string };
  children: React.ReactNode;
}) {
  return (
    <ToastProvider>
      <div className="min-h-screen">
        <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
          <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-4 px-4 py-3">
            <span className="font-semibold text-indigo-600 dark:text-indigo-400">Keyward</span>
            <nav aria-label="Main" className="flex-1">
              <NavLinks items={[...navigation.groups.flatMap((g) => g.items), ...navigation.account]} />
            </nav>
            <div className="flex items-center gap-3">
              <CommandPalette pages={[...navigation.groups.flatMap((g) => g.items), ...navigation.account]} />
              <span
                className="hidden text-sm text-slate-600 sm:inline dark:text-slate-400"
                title={user.email}
              >
                {user.name}
              </span>
              <SignOutButton />
            </div>
          </div>
        </header>
        <main id="main" className="mx-auto max-w-6xl px-4 py-8">
          {children}
        </main>
      </div>
    </ToastProvider>
  );
}
