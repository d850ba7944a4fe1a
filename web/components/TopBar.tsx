import Link from "next/link";
import type { User } from "@/lib/types";
import SignOutButton from "./SignOutButton";

/** TopBar is the site header: navigation for the signed-in user, sign-in links otherwise. */
export default function TopBar({ user }: { user: User | null }) {
  return (
    <header className="topbar">
      <Link className="brand" href="/">
        parley
      </Link>
      <nav aria-label="Main">
        <ul>
          {user && (
            <li>
              <Link href="/chat">Chat</Link>
            </li>
          )}
          {user && (
            <li>
              <Link href="/settings">Settings</Link>
            </li>
          )}
          {user?.role === "admin" && (
            <li>
              <Link href="/admin">Admin</Link>
            </li>
          )}
          <li>
            <Link href="/status">Status</Link>
          </li>
        </ul>
      </nav>
      <span className="spacer" />
      {user ? (
        <>
          <span className="muted" data-testid="whoami">
            {user.name || user.email}
          </span>
          <SignOutButton />
        </>
      ) : (
        <Link href="/login">Sign in</Link>
      )}
    </header>
  );
}
