import Link from "next/link";

import { ToastProvider } from "@/components/ui/toast";

import { MobileMenu } from "./mobile-menu";
import { type Navigation, type ShellUser, SidebarNav } from "./sidebar-nav";

/**
 * The signed-in console. From lg up: a fixed left sidebar (brand, search, navigation, account menu)
 * with the content to its right. Below lg: a top bar (brand, search, Menu) whose menu opens the same
 * navigation in a dialog. The brand bar is one element in both layouts, so `search` (the command
 * palette) is mounted once and its keyboard shortcut is registered once.
 */
export function AppShell({
  navigation,
  user,
  search,
  children,
}: {
  navigation: Navigation;
  user: ShellUser;
  /** The command palette's trigger: `<CommandPalette pages={...} />`, shown in the sidebar and the phone's top bar. */
  search?: React.ReactNode;
  children: React.ReactNode;
}) {
  return (
    <ToastProvider>
      <div className="min-h-screen lg:pl-64">
        <div className="sticky top-0 z-30 lg:fixed lg:inset-y-0 lg:left-0 lg:flex lg:w-64 lg:flex-col lg:border-r lg:border-slate-200 lg:bg-white lg:dark:border-slate-800 lg:dark:bg-slate-900">
          <header className="flex min-h-14 items-center gap-2 border-b border-slate-200 bg-white px-4 py-1.5 lg:flex-col lg:items-stretch lg:gap-4 lg:border-b-0 lg:bg-transparent lg:px-6 lg:pt-5 lg:pb-1 dark:border-slate-800 dark:bg-slate-900 lg:dark:bg-transparent">
            <Link
              href="/"
              className="inline-flex min-h-11 items-center rounded-md text-lg font-semibold text-indigo-600 lg:min-h-0 dark:text-indigo-400"
            >
              Keyward
            </Link>
            <div className="ml-auto flex items-center gap-2 lg:ml-0 lg:block">
              {search}
              <div className="lg:hidden">
                <MobileMenu>
                  <SidebarNav navigation={navigation} user={user} />
                </MobileMenu>
              </div>
            </div>
          </header>
          <div className="hidden lg:flex lg:min-h-0 lg:flex-1 lg:flex-col">
            <SidebarNav navigation={navigation} user={user} />
          </div>
        </div>
        <main id="main" className="mx-auto max-w-6xl px-4 py-6 sm:py-8 lg:px-8">
          {children}
        </main>
      </div>
    </ToastProvider>
  );
}
