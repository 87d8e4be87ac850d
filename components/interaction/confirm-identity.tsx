"use client";

import { useState } from "react";

import { ReauthDialog } from "@/components/auth/reauth-dialog";
import { Button } from "@/components/ui/button";

/**
 * An app asked for a fresh or stronger sign-in (`prompt=login`, `max_age`, `acr_values`): the
 * user proves it is them again with Keyward's step-up, then the sign-in continues to the app.
 */
export function ConfirmIdentity({ uid }: { uid: string }) {
  const [open, setOpen] = useState(true);
  // A document navigation: the sign-in goes on through the provider (not a Next page) to the app.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  const goOn = () => window.location.assign(`/interaction/${encodeURIComponent(uid)}`);
  return (
    <>
      <Button type="button" className="w-full" onClick={() => setOpen(true)}>
        Confirm it is you
      </Button>
      <ReauthDialog open={open} onDone={goOn} onCancel={() => setOpen(false)} />
    </>
  );
}
