import { AppShell } from "@/components/layout/app-shell";
import { requirePageUser } from "@/lib/http/page";
import { navigationFor } from "@/lib/policy/navigation";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  // Each page enforces enrollment itself; the shell must render for the enrollment page too.
  const principal = await requirePageUser(undefined, { duringEnrollment: true });
  const navigation = navigationFor(principal);
  return (
    <AppShell
      navigation={navigation}
      user={{ name: principal.name, email: principal.email }}
      // The command palette goes here, once, for the sidebar and the phone's top bar alike:
      // search={<CommandPalette pages={[...navigation.groups.flatMap((g) => g.items), ...navigation.account]} />}
    >
      {children}
    </AppShell>
  );
}
