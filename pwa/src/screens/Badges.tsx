import { useEffect } from "preact/hooks";
import { api } from "../api";
import { BadgeTile, Empty, Failure, Skeleton, TopBar } from "../components";
import { t } from "../i18n";
import { onLive } from "../live";
import { useLoad } from "../load";

export function Badges() {
  const badges = useLoad(() => api.get("/api/v1/badges"), []);
  useEffect(() => onLive("badge", () => badges.reload()), []);
  const list = badges.data?.filter((b) => !b.retired || b.earnedAt);
  const earned = list?.filter((b) => b.earnedAt) ?? [];
  const locked = list?.filter((b) => !b.earnedAt) ?? [];
  return (
    <main class="screen">
      <TopBar title={t("badges.title")} />
      {badges.error && !list ? (
        <Failure error={badges.error} retry={badges.reload} />
      ) : !list ? (
        <Skeleton lines={6} />
      ) : list.length === 0 ? (
        <Empty text={t("badges.empty")} />
      ) : (
        <>
          <h2 class="section-title">{t("badges.earned", { count: earned.length })}</h2>
          {earned.length === 0 ? (
            <p class="muted">{t("badges.firstBadge")}</p>
          ) : (
            <ul class="badge-grid">
              {earned.map((b) => (
                <BadgeTile key={b.id} badge={b} />
              ))}
            </ul>
          )}
          <h2 class="section-title">{t("badges.stillToEarn", { count: locked.length })}</h2>
          <ul class="badge-grid">
            {locked.map((b) => (
              <BadgeTile key={b.id} badge={b} />
            ))}
          </ul>
        </>
      )}
    </main>
  );
}
