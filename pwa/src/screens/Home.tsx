import { useEffect } from "preact/hooks";
import { api } from "../api";
import { ChallengeCard, Empty, Failure, LevelRing, Skeleton, Streak, TopBar } from "../components";
import { t } from "../i18n";
import { onLive } from "../live";
import { useLoad } from "../load";
import { me } from "../session";
import { useStore } from "../store";
import { NotifyMe } from "./Profile";

export function Home() {
  const who = useStore(me)!;
  const challenges = useLoad(() => api.get("/api/v1/challenges").then((page) => page.items), []);
  useEffect(() => onLive("submission", () => challenges.reload()), []);
  const surveys = useLoad(() => api.get("/api/v1/surveys"), []);
  const first = who.displayName.split(" ")[0];
  return (
    <main class="screen">
      <TopBar title={t("home.greeting", { name: first })} />
      <section class="summary card" aria-label={t("home.progress")}>
        <LevelRing points={who.points} level={who.level} next={who.nextLevelPoints} />
        <Streak weeks={who.streakWeeks} freezes={who.streakFreezes} />
      </section>
      {(surveys.data ?? [])
        .filter((survey) => !survey.answered)
        .map((survey) => (
          <a class="card pulse" href={`/surveys/${survey.id}`} key={survey.id}>
            <span class="eyebrow">{t("home.pulse", { count: survey.questions.length })}</span>
            <span class="card-title">{survey.title}</span>
            {survey.points > 0 && <span class="chip points">{t("home.points", { points: survey.points })}</span>}
          </a>
        ))}
      <h2 class="section-title">{t("home.openChallenges")}</h2>
      {challenges.error && !challenges.data ? (
        <Failure error={challenges.error} retry={challenges.reload} />
      ) : !challenges.data ? (
        <Skeleton lines={4} />
      ) : challenges.data.length === 0 ? (
        <Empty text={t("home.empty")}>
          <NotifyMe />
        </Empty>
      ) : (
        <ul class="cards">
          {challenges.data.map((c) => (
            <li key={c.id}>
              <ChallengeCard challenge={c} />
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
