import { getTranslations } from "next-intl/server";
import ErrorPage from "@/components/shell/ErrorPage";

export default async function Forbidden() {
  const t = await getTranslations("errors");
  return <ErrorPage code="403" title={t("forbiddenTitle")} body={t("forbiddenBody")} back={t("backToChat")} href="/chat" testId="forbidden" />;
}
