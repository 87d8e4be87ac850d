import { AppShell } from "@/components/layout/app-shell";
import { CommandPalette } from "@/components/layout/command-palette";
import { requirePageUser } from "@/lib/http/page";
import { navigationFor } from "@/lib/policy/navigation";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  // Each page enforces enrollment itself; the shell must render for the enrollment page too.
  const principal = await requirePageUser(undefined, { duringEnrollment: true });
  const navigation = navigationFor(principal);
  // The palette jumps to the same pages the sidebar shows; its server search applies the same rules.
  const pages = [...navigation.groups.flatMap((g) => g.items), ...navigation.account];
  return (
    <AppShell
      navigation={navigation}
      user={{ name: principal.name, email: principal.email }}
      search={<CommandPalette pages={pages} />}
    >
      {children}
    </AppShell>
  );
}
