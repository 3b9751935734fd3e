// Teams: the list, a new team, and the team editor (rename, leads, delete after a confirmation).
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { formatNumber, t, tRich } from "../i18n";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { navigate } from "../router";
import { toast } from "../store";
import type { Team, User } from "../types";
import { confirmAction, type Sort, SortHeader, sortRows, useDebounced } from "./kit";
import { makeLead } from "./people";
import { Field, Section } from "./ui";

type Column = "name" | "members" | "leads";

/** The visually hidden rest of a link's or button's name. */
const hidden = (chunks: ComponentChildren) => <span class="visually-hidden">{chunks}</span>;

export function TeamsAdmin({ teamId }: { teamId: string | null }) {
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);
  const team = teamId ? teams.data?.items.find((x) => x.id === teamId) : null;
  if (teamId)
    return (
      <main class="screen console">
        <TopBar
          title={team ? t("consoleTeams.teamTitle", { name: team.name }) : t("consoleTeams.team")}
          back="/admin/teams"
        />
        {teams.error && !teams.data ? (
          <Failure error={teams.error} retry={teams.reload} />
        ) : !teams.data ? (
          <Skeleton />
        ) : !team ? (
          <Empty text={t("consoleTeams.gone")}>
            <a class="button secondary" href="/admin/teams">
              {t("consoleTeams.allTeams")}
            </a>
          </Empty>
        ) : (
          <TeamEditor key={team.id} team={team} reload={teams.reload} />
        )}
      </main>
    );
  return (
    <main class="screen console">
      <TopBar title={t("consoleTeams.title")} back="/admin" />
      {teams.error && !teams.data ? (
        <Failure error={teams.error} retry={teams.reload} />
      ) : !teams.data ? (
        <Skeleton />
      ) : (
        <TeamTable teams={teams.data.items} />
      )}
      <NewTeam reload={teams.reload} />
    </main>
  );
}

function TeamTable({ teams }: { teams: Team[] }) {
  const [sort, setSort] = useState<Sort<Column>>({ key: "name", dir: "ascending" });
  const [query, setQuery] = useState("");
  if (teams.length === 0) return <Empty text={t("consoleTeams.empty")} />;
  const shown = sortRows(
    teams.filter((team) => team.name.toLowerCase().includes(query.trim().toLowerCase())),
    sort,
    (team, key) => (key === "name" ? team.name : key === "members" ? team.members : (team.leadUserIds ?? []).length),
  );
  return (
    <>
      <div class="toolbar" role="search">
        <label class="search">
          {t("consoleTeams.find")}
          <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
      </div>
      <div class="data-table-wrap">
        <table class="data-table" aria-label={t("consoleTeams.title")}>
          <thead>
            <tr>
              <SortHeader label={t("consoleTeams.team")} column="name" sort={sort} setSort={setSort} />
              <SortHeader label={t("consoleTeams.members")} column="members" sort={sort} setSort={setSort} />
              <SortHeader label={t("consoleTeams.leads")} column="leads" sort={sort} setSort={setSort} />
              <th scope="col">{t("consoleTeams.dashboard")}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((team) => (
              <tr key={team.id}>
                <td>
                  <a href={`/admin/teams/${team.id}`} class="name">
                    {team.name}
                  </a>
                </td>
                <td class="num">{formatNumber(team.members)}</td>
                <td class="num">{formatNumber((team.leadUserIds ?? []).length)}</td>
                <td>
                  <a href={`/team/${team.id}`}>{tRich("consoleTeams.openDashboard", { name: team.name, hidden })}</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function NewTeam({ reload }: { reload: () => void }) {
  const [name, setName] = useState("");
  const [busy, run] = useInFlight();
  async function create(event: Event) {
    event.preventDefault();
    await run(async () => {
      try {
        await api.post("/api/v1/admin/teams", { body: { name } });
        toast(t("consoleTeams.added", { name }), "success");
        setName("");
        reload();
      } catch (failure) {
        toastFailure(failure, t("consoleTeams.createFailed"));
      }
    });
  }
  return (
    <Section title={t("consoleTeams.newTeam")}>
      <form class="row" onSubmit={create}>
        <label class="grow">
          {t("consoleTeams.name")}
          <input required maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button class="button secondary" type="submit" disabled={busy}>
          {t("consoleTeams.add")}
        </button>
      </form>
    </Section>
  );
}

function TeamEditor({ team, reload }: { team: Team; reload: () => void }) {
  const [name, setName] = useState(team.name);
  const [busy, run] = useInFlight();
  const leadIds = team.leadUserIds ?? [];
  // Leads by name: they are usually members or have the lead role; an admin leading from
  // outside the team is found by the second query.
  const people = useLoad(
    () =>
      Promise.all([
        api.get("/api/v1/admin/users", { query: { teamId: team.id, limit: 100 } }),
        api.get("/api/v1/admin/users", { query: { role: "lead", limit: 100 } }),
        api.get("/api/v1/admin/users", { query: { role: "admin", limit: 100 } }),
      ]).then((pages) => pages.flatMap((p) => p.items)),
    [team.id, leadIds.join(",")],
  );
  const nameOf = (id: string) => people.data?.find((u) => u.id === id)?.displayName ?? t("consoleTeams.outsider");

  async function rename(event: Event) {
    event.preventDefault();
    await run(async () => {
      try {
        await api.put("/api/v1/admin/teams/{team_id}", { path: { team_id: team.id }, body: { name } });
        toast(t("consoleTeams.renamed", { name }), "success");
        reload();
      } catch (failure) {
        toastFailure(failure, t("consoleTeams.renameFailed"));
      }
    });
  }

  async function setLeads(ids: string[], message: string) {
    await run(async () => {
      try {
        await api.put("/api/v1/admin/teams/{team_id}", {
          path: { team_id: team.id },
          body: { leadUserIds: ids },
        });
        toast(message, "success");
        reload();
      } catch (failure) {
        toastFailure(failure, t("consoleTeams.leadsFailed"));
      }
    });
  }

  async function addLead(user: User) {
    await run(async () => {
      try {
        await makeLead(user, team);
        toast(t("consoleTeams.leadAdded", { person: user.displayName, team: team.name }), "success");
        reload();
      } catch (failure) {
        toastFailure(failure, t("consoleTeams.leadFailed"));
      }
    });
  }

  async function remove() {
    const sure = await confirmAction({
      title: t("consoleTeams.deleteTitle", { name: team.name }),
      body: t("consoleTeams.deleteBody", { count: team.members }),
      confirmLabel: t("consoleTeams.deleteConfirm"),
    });
    if (!sure) return;
    await run(async () => {
      try {
        await api.del("/api/v1/admin/teams/{team_id}", { path: { team_id: team.id } });
        toast(t("consoleTeams.deleted", { name: team.name }), "success");
        navigate("/admin/teams");
      } catch (failure) {
        toastFailure(failure, t("consoleTeams.deleteFailed"));
      }
    });
  }

  return (
    <>
      <p class="muted">
        {tRich("consoleTeams.summary", {
          count: team.members,
          link: (chunks: ComponentChildren) => <a href={`/team/${team.id}`}>{chunks}</a>,
        })}
      </p>
      <div class="console-split">
        <Section title={t("consoleTeams.nameSection")}>
          <form class="row" onSubmit={rename}>
            <label class="grow">
              {t("consoleTeams.name")}
              <input required maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <button class="button secondary" type="submit" disabled={busy || name.trim() === team.name}>
              {t("consoleTeams.rename")}
            </button>
          </form>
        </Section>
        <Section title={t("consoleTeams.leads")}>
          <p class="muted small">{t("consoleTeams.leadsNote")}</p>
          {leadIds.length === 0 ? (
            <p class="muted">{t("consoleTeams.noLeads")}</p>
          ) : (
            <ul class="board">
              {leadIds.map((id) => (
                <li class="board-row" key={id}>
                  <span class="who">
                    <span class="name">{nameOf(id)}</span>
                  </span>
                  <button
                    type="button"
                    class="button secondary compact"
                    disabled={busy}
                    onClick={() =>
                      setLeads(
                        leadIds.filter((x) => x !== id),
                        t("consoleTeams.leadRemoved", { person: nameOf(id), team: team.name }),
                      )
                    }
                  >
                    {tRich("consoleTeams.removeLead", { person: nameOf(id), hidden })}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <FindLead exclude={leadIds} busy={busy} pick={addLead} />
        </Section>
      </div>
      <Section title={t("consoleTeams.deleteSection")}>
        <p class="muted small">{t("consoleTeams.deleteNote")}</p>
        <button type="button" class="button danger" disabled={busy} onClick={remove}>
          {t("consoleTeams.deleteConfirm")}
        </button>
      </Section>
    </>
  );
}

/** Search anyone in the organization and make them a lead. */
function FindLead({ exclude, busy, pick }: { exclude: string[]; busy: boolean; pick: (user: User) => void }) {
  const [query, setQuery] = useState("");
  const search = useDebounced(query.trim());
  const found = useLoad(
    () =>
      search
        ? api.get("/api/v1/admin/users", { query: { query: search, active: true, limit: 8 } })
        : Promise.resolve({ items: [] as User[] }),
    [search],
  );
  const results = (found.data?.items ?? []).filter((u) => !exclude.includes(u.id));
  return (
    <div class="stack">
      <Field label={t("consoleTeams.findLead")}>
        <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </Field>
      {search && found.data && results.length === 0 && <p class="muted small">{t("consoleTeams.noMatch")}</p>}
      {results.length > 0 && (
        <ul class="board" aria-label={t("consoleTeams.matches")}>
          {results.map((u) => (
            <li class="board-row" key={u.id}>
              <span class="who">
                <span class="name">{u.displayName}</span>
                <span class="muted small">{u.email}</span>
              </span>
              <button type="button" class="button secondary compact" disabled={busy} onClick={() => pick(u)}>
                {tRich("consoleTeams.makeLead", { person: u.displayName, hidden })}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
