import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import AdminKeys from "@/components/admin/AdminKeys";

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations("admin"))("keys") };
}

export default function Page() {
  return <AdminKeys />;
}
