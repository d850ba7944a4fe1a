import { getTranslations } from "next-intl/server";
import ErrorPage from "@/components/shell/ErrorPage";

export default async function NotFound() {
  const t = await getTranslations("errors");
  return <ErrorPage code="404" title={t("notFoundTitle")} body={t("notFoundBody")} back={t("home")} href="/" />;
}
