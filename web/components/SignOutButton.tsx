"use client";
import { apiFetch } from "@/lib/client";

/** SignOutButton ends the session on the server and returns to the sign-in page. */
export default function SignOutButton() {
  return (
    <button
      type="button"
      onClick={async () => {
        await apiFetch("/auth/logout", { method: "POST" }).catch(() => undefined);
        window.location.assign("/login");
      }}
    >
      Sign out
    </button>
  );
}
