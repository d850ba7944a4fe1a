import type { Metadata } from "next";
import Link from "next/link";
import { forbidden, redirect } from "next/navigation";
import TopBar from "@/components/TopBar";
import { currentUser } from "@/lib/server";

export const metadata: Metadata = { title: "Admin" };

/** AdminLayout checks the role on the server: non-admins get 403 and never see the admin UI. */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  if (!user) redirect("/login?next=/admin");
  if (user.role !== "admin") forbidden();
  return (
    <>
      <TopBar user={user} />
      <div className="page">
        <nav aria-label="Admin">
          <ul className="row">
            <li>
              <Link href="/admin/users">Users</Link>
            </li>
            <li>
              <Link href="/admin/keys">Key pool</Link>
            </li>
            <li>
              <Link href="/admin/audit">Audit log</Link>
            </li>
          </ul>
        </nav>
        {children}
      </div>
    </>
  );
}
