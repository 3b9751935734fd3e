// Teams: the list, a new team, and the team editor (rename, leads, delete after a confirmation).
import { useState } from "preact/hooks";
import { api, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { navigate } from "../router";
import { toast } from "../store";
import type { Team, User } from "../types";
import { confirmAction, type Sort, SortHeader, sortRows, useDebounced } from "./kit";
import { makeLead } from "./people";
import { Field, Section } from "./ui";

type Column = "name" | "members" | "leads";

export function TeamsAdmin({ teamId }: { teamId: string | null }) {
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);
  const team = teamId ? teams.data?.items.find((t) => t.id === teamId) : null;
  if (teamId)
    return (
      <main class="screen console">
        <TopBar title={team ? `Team: ${team.name}` : "Team"} back="/admin/teams" />
        {teams.error && !teams.data ? (
          <Failure error={teams.error} retry={teams.reload} />
        ) : !teams.data ? (
          <Skeleton />
        ) : !team ? (
          <Empty text="This team no longer exists.">
            <a class="button secondary" href="/admin/teams">
              All teams
            </a>
          </Empty>
        ) : (
          <TeamEditor key={team.id} team={team} reload={teams.reload} />
        )}
      </main>
    );
  return (
    <main class="screen console">
      <TopBar title="Teams" back="/admin" />
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
  if (teams.length === 0) return <Empty text="No teams yet: add the first one below." />;
  const shown = sortRows(
    teams.filter((t) => t.name.toLowerCase().includes(query.trim().toLowerCase())),
    sort,
    (t, key) => (key === "name" ? t.name : key === "members" ? t.members : (t.leadUserIds ?? []).length),
  );
  return (
    <>
      <div class="toolbar" role="search">
        <label class="search">
          Find a team
          <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
      </div>
      <div class="data-table-wrap">
        <table class="data-table" aria-label="Teams">
          <thead>
            <tr>
              <SortHeader label="Team" column="name" sort={sort} setSort={setSort} />
              <SortHeader label="Members" column="members" sort={sort} setSort={setSort} />
              <SortHeader label="Leads" column="leads" sort={sort} setSort={setSort} />
              <th scope="col">Dashboard</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((t) => (
              <tr key={t.id}>
                <td>
                  <a href={`/admin/teams/${t.id}`} class="name">
                    {t.name}
                  </a>
                </td>
                <td class="num">{t.members}</td>
                <td class="num">{(t.leadUserIds ?? []).length}</td>
                <td>
                  <a href={`/team/${t.id}`}>
                    Open<span class="visually-hidden"> the dashboard of {t.name}</span>
                  </a>
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
        toast(`Team ${name} added.`, "success");
        setName("");
        reload();
      } catch (failure) {
        toastFailure(failure, "Could not create the team.");
      }
    });
  }
  return (
    <Section title="New team">
      <form class="row" onSubmit={create}>
        <label class="grow">
          Team name
          <input required maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button class="button secondary" type="submit" disabled={busy}>
          Add team
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
  const nameOf = (id: string) => people.data?.find((u) => u.id === id)?.displayName ?? "Someone outside the team";

  async function rename(event: Event) {
    event.preventDefault();
    await run(async () => {
      try {
        await api.put("/api/v1/admin/teams/{team_id}", { path: { team_id: team.id }, body: { name } });
        toast(`Renamed to ${name}.`, "success");
        reload();
      } catch (failure) {
        toastFailure(failure, "Could not rename the team.");
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
        toastFailure(failure, "Could not change the leads.");
      }
    });
  }

  async function addLead(user: User) {
    await run(async () => {
      try {
        await makeLead(user, team);
        toast(`${user.displayName} now leads ${team.name}.`, "success");
        reload();
      } catch (failure) {
        toastFailure(failure, "Could not make them the lead.");
      }
    });
  }

  async function remove() {
    const n = team.members;
    const sure = await confirmAction({
      title: `Delete the team ${team.name}?`,
      body: `Its ${n} ${n === 1 ? "member becomes" : "members become"} team-less (they keep their accounts), and the points they earned stay in the ledger and on the people boards. The team leaves the team boards.`,
      confirmLabel: "Delete team",
    });
    if (!sure) return;
    await run(async () => {
      try {
        await api.del("/api/v1/admin/teams/{team_id}", { path: { team_id: team.id } });
        toast(`Team ${team.name} deleted.`, "success");
        navigate("/admin/teams");
      } catch (failure) {
        toastFailure(failure, "Could not delete the team.");
      }
    });
  }

  return (
    <>
      <p class="muted">
        {team.members} {team.members === 1 ? "member" : "members"} · <a href={`/team/${team.id}`}>open its dashboard</a>
      </p>
      <div class="console-split">
        <Section title="Name">
          <form class="row" onSubmit={rename}>
            <label class="grow">
              Team name
              <input required maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <button class="button secondary" type="submit" disabled={busy || name.trim() === team.name}>
              Rename
            </button>
          </form>
        </Section>
        <Section title="Leads">
          <p class="muted small">A lead sees the team's dashboard and can nudge its quiet members.</p>
          {leadIds.length === 0 ? (
            <p class="muted">Nobody leads this team yet.</p>
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
                        `${nameOf(id)} no longer leads ${team.name}.`,
                      )
                    }
                  >
                    Remove<span class="visually-hidden"> {nameOf(id)} as lead</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
          <FindLead exclude={leadIds} busy={busy} pick={addLead} />
        </Section>
      </div>
      <Section title="Delete">
        <p class="muted small">Members become team-less; their points stay.</p>
        <button type="button" class="button danger" disabled={busy} onClick={remove}>
          Delete team
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
      <Field label="Add a lead: search by name or email">
        <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
      </Field>
      {search && found.data && results.length === 0 && <p class="muted small">Nobody else matches.</p>}
      {results.length > 0 && (
        <ul class="board" aria-label="Matching people">
          {results.map((u) => (
            <li class="board-row" key={u.id}>
              <span class="who">
                <span class="name">{u.displayName}</span>
                <span class="muted small">{u.email}</span>
              </span>
              <button type="button" class="button secondary compact" disabled={busy} onClick={() => pick(u)}>
                Make lead<span class="visually-hidden"> {u.displayName}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
