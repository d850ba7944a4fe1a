"use client";
import { useRouter } from "next/navigation";
import { apiFetch } from "@/lib/client";

/** SignOutButton ends the session on the server and returns to the sign-in page. */
export default function SignOutButton() {
  const router = useRouter();
  return (
    <button
      type="button"
      onClick={async () => {
        await apiFetch("/auth/logout", { method: "POST" }).catch(() => undefined);
        router.replace("/login");
        router.refresh();
      }}
    >
      Sign out
    </button>
  );
}
