import type { Metadata } from "next";

import { PageHeader } from "@/components/ui/page-header";
import { InviteForm } from "@/components/users/invite-form";
import { requirePageUser } from "@/lib/http/page";
import { grantableRoles } from "@/lib/roles/grantable-roles";

import { inviteUserAction } from "../actions";

export const metadata: Metadata = { title: "Invite a user · Users" };

export default async function InvitePage() {
  const principal = await requirePageUser("users.write");
  const roles = await grantableRoles(principal);
  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: "Users", href: "/users" }, { label: "Invite a user" }]}
        title="Invite a user"
        description="They get a one-time link to set their password and sign in."
      />
      <InviteForm action={inviteUserAction} roles={roles} />
    </>
  );
}
