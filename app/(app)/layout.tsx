import { AppShell } from "@/components/layout/app-shell";
import { requirePageUser } from "@/lib/http/page";
import { navigationFor } from "@/lib/policy/navigation";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  // Each page enforces enrollment itself; the shell must render for the enrollment page too.
  const principal = await requirePageUser(undefined, { duringEnrollment: true });
  return (
    <AppShell navigation={navigationFor(principal)} user={{ name: principal.name, email: principal.email }}>
      {children}
    </AppShell>
  );
}
