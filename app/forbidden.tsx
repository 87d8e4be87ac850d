import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "No access" };

export default function Forbidden() {
  return (
    <main id="main" className="mx-auto max-w-xl p-8">
      <h1 className="text-2xl font-semibold">You do not have access to this page</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-400">
        Your roles do not include the permission it needs. Ask an administrator if you need it.
      </p>
      <Link href="/account" className="mt-4 inline-block text-indigo-700 underline dark:text-indigo-400">
        Go to your account
      </Link>
    </main>
  );
}
