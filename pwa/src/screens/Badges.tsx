import { useEffect } from "preact/hooks";
import { api } from "../api";
import { BadgeTile, Empty, Failure, Skeleton, TopBar } from "../components";
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
      <TopBar title="Badges" />
      {badges.error && !list ? (
        <Failure error={badges.error} retry={badges.reload} />
      ) : !list ? (
        <Skeleton lines={6} />
      ) : list.length === 0 ? (
        <Empty text="Your organization hasn't set up badges yet." />
      ) : (
        <>
          <h2 class="section-title">Earned ({earned.length})</h2>
          {earned.length === 0 ? (
            <p class="muted">Your first verified share earns your first badge.</p>
          ) : (
            <ul class="badge-grid">
              {earned.map((b) => (
                <BadgeTile key={b.id} badge={b} />
              ))}
            </ul>
          )}
          <h2 class="section-title">Still to earn ({locked.length})</h2>
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
