// The Chorus employee app: routes, the signed-in shell, the service worker and live refreshes.
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { Failure, OfflineBanner, Skeleton, TabBar, Toasts } from "./components";
import { installEnglish, loadSurface, locale, preferredLocale, setLocale, t } from "./i18n";
import { onLive } from "./live";
import { match, navigate, usePath } from "./router";
import { Badges } from "./screens/Badges";
import { ChallengeScreen } from "./screens/ChallengeScreen";
import { Community } from "./screens/Community";
import { Home } from "./screens/Home";
import { Inbox } from "./screens/Inbox";
import { Leaderboard } from "./screens/Leaderboard";
import { ResetPassword } from "./screens/PasswordReset";
import { Profile } from "./screens/Profile";
import { Rewards } from "./screens/Rewards";
import { AcceptInvite, SignIn, Welcome } from "./screens/SignIn";
import { SurveyScreen } from "./screens/SurveyScreen";
import { loadMe, me, refreshUnread } from "./session";
import { online, staleSince, toast, useStore } from "./store";
import "./styles.css";
import englishApp from "virtual:catalog/app/en";

installEnglish("app", englishApp);

type ConsoleModule = typeof import("./console");
let consoleModule: Promise<ConsoleModule> | null = null;

/** Team-lead and admin screens: their own chunk, fetched the first time one is opened. */
function ConsoleLoader({ path }: { path: string }) {
  const [loaded, setLoaded] = useState<ConsoleModule | null>(null);
  const [failed, setFailed] = useState<unknown>(null);
  useEffect(() => {
    consoleModule ??= Promise.all([import("./console"), loadSurface("console")]).then(([module]) => module);
    consoleModule.then(setLoaded, (error) => {
      consoleModule = null;
      setFailed(error);
    });
  }, []);
  if (failed) return <Failure error={new Error(t("main.consoleFailed"))} retry={() => location.reload()} />;
  if (!loaded) return <Skeleton lines={6} />;
  return <loaded.Console path={path} />;
}

function Screen({ path }: { path: string }) {
  const who = me.get();
  const consoleRole = path.startsWith("/admin")
    ? "admin"
    : path === "/team" || path.startsWith("/team/")
      ? "lead"
      : null;
  if (consoleRole && who && (who.role === "admin" || (consoleRole === "lead" && who.role === "lead"))) {
    return <ConsoleLoader path={path} />;
  }
  const challenge = match("/challenges/:id", path);
  if (challenge) return <ChallengeScreen id={challenge.id} />;
  const survey = match("/surveys/:id", path);
  if (survey) return <SurveyScreen id={survey.id} />;
  switch (path.replace(/\/+$/, "") || "/") {
    case "/":
      return <Home />;
    case "/leaderboard":
      return <Leaderboard />;
    case "/badges":
      return <Badges />;
    case "/community":
      return <Community />;
    case "/notifications":
      return <Inbox />;
    case "/me":
      return <Profile />;
    case "/rewards":
      return <Rewards />;
    case "/welcome":
      return <Welcome />;
    default:
      return (
        <main class="screen">
          <div class="empty">
            <h1>{t("main.notFoundTitle")}</h1>
            <p>{t("main.notFoundText")}</p>
            <a class="button primary" href="/">
              {t("main.notFoundAction")}
            </a>
          </div>
        </main>
      );
  }
}

function App() {
  const path = usePath();
  const who = useStore(me);
  const isOnline = useStore(online);
  useStore(locale); // every screen renders again in a newly chosen language

  useEffect(() => {
    loadMe().catch(() => undefined);
    let timer = 0;
    const refresh = () => {
      clearTimeout(timer);
      timer = window.setTimeout(() => loadMe().catch(() => undefined), 250);
    };
    const offs = ["submission", "badge", "level_up", "team_goal"].map((kind) => onLive(kind, refresh));
    offs.push(
      onLive("badge", (badge: { name: string }) => toast(t("main.newBadge", { name: badge.name }), "celebrate", 5000)),
    );
    offs.push(
      onLive("level_up", (level: { level: number }) =>
        toast(t("main.levelUp", { level: level.level }), "celebrate", 5000),
      ),
    );
    return () => {
      for (const off of offs) off();
    };
  }, []);

  useEffect(() => {
    if (!isOnline) return;
    // Back online: what we show may be stale, and queued submissions can go now.
    staleSince.set(null);
    navigator.serviceWorker?.controller?.postMessage({ type: "replay-submissions" });
    if (me.get()) {
      loadMe().catch(() => undefined);
      refreshUnread();
    }
  }, [isOnline]);

  if (path === "/accept-invite") return <AcceptInvite />;
  if (path === "/reset") return <ResetPassword />;
  if (who === undefined) return <Skeleton lines={6} />;
  if (who === null) return <SignIn />;
  return (
    <div class="shell">
      <a class="skip" href="#content">
        {t("main.skip")}
      </a>
      <OfflineBanner />
      <div id="content">
        <Screen path={path} />
      </div>
      <TabBar />
      <Toasts />
    </div>
  );
}

window.addEventListener("online", () => online.set(true));
window.addEventListener("offline", () => online.set(false));

if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
  navigator.serviceWorker.addEventListener("message", (event) => {
    const message = event.data ?? {};
    if (message.type === "navigate" && typeof message.url === "string") navigate(message.url);
    if (message.type === "push") refreshUnread();
    if (message.type === "submission-queued") online.set(false);
  });
}

const root = document.getElementById("app")!;
// The first render is already in the person's language (English needs no fetch).
const first = preferredLocale();
(first === "en" ? Promise.resolve() : setLocale(first).catch(() => undefined)).then(() => {
  root.textContent = ""; // the "Loading Chorus…" line of index.html
  render(<App />, root);
});
