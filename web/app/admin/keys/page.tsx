import type { Metadata } from "next";
import AdminKeys from "@/components/admin/AdminKeys";

export const metadata: Metadata = { title: "Key pool" };

export default function Page() {
  return <AdminKeys />;
}
