import { AppShell } from "@/components/layout/app-shell";
import { requirePageUser } from "@/lib/http/page";
import { visibleAreas } from "@/lib/policy/navigation";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const principal = await requirePageUser();
  return (
    <AppShell items={visibleAreas(principal)} user={{ name: principal.name, email: principal.email }}>
      {children}
    </AppShell>
  );
}
