import type { Metadata } from "next";
import { forbidden } from "next/navigation";
import { getTranslations } from "next-intl/server";
import AdminTabs from "@/components/admin/AdminTabs";
import { currentUser } from "@/lib/server";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("nav"))("admin") };
}

/** AdminLayout checks the role on the server: non-admins get 403 and never see the admin UI. */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();
  if (user?.role !== "admin") forbidden();
  const t = await getTranslations("admin");
  return (
    <div className="mx-auto w-full max-w-6xl px-4 py-8 sm:py-10">
      <AdminTabs label={t("sections")} items={[
        { href: "/admin/users", label: t("users") },
        { href: "/admin/keys", label: t("keys") },
        { href: "/admin/audit", label: t("audit") },
      ]} />
      {children}
    </div>
  );
}
