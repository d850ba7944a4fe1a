import { getTranslations } from "next-intl/server";
import ErrorPage from "@/components/shell/ErrorPage";

/** Forbidden is the 403 page, shown inside the signed-in layout (admin/layout.tsx calls forbidden()). */
export default async function Forbidden() {
  const t = await getTranslations("errors");
  return <ErrorPage code="403" title={t("forbiddenTitle")} body={t("forbiddenBody")} back={t("backToChat")} href="/chat" testId="forbidden" inLayout />;
}
