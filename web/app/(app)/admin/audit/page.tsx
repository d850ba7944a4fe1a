import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import AdminAudit from "@/components/admin/AdminAudit";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin"))("audit") };
}

export default function Page() {
  return <AdminAudit />;
}
