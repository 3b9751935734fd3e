// People at company scale: search among thousands, filter by role, team and status, set roles
// and teams in the row, and make someone their team's lead in one click.
import { useState } from "preact/hooks";
import { api, type Schemas, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import type { Role, Team, User } from "../types";
import { confirmAction, MoreRows, type Sort, SortHeader, sortRows, useDebounced, usePages } from "./kit";

type Column = "name" | "role" | "team" | "active" | "joined";

/** Make someone a lead of a team (the server makes an employee a "lead" and refreshes their
 * session, so they see the team's dashboard at once). */
export async function makeLead(user: Pick<User, "id">, team: Team): Promise<void> {
  const leads = team.leadUserIds ?? [];
  if (leads.includes(user.id)) return;
  await api.put("/api/v1/admin/teams/{team_id}", {
    path: { team_id: team.id },
    body: { leadUserIds: [...leads, user.id] },
  });
}

export function PeopleAdmin() {
  const [query, setQuery] = useState("");
  const [role, setRole] = useState("");
  const [teamId, setTeamId] = useState("");
  const [active, setActive] = useState("");
  const [sort, setSort] = useState<Sort<Column>>({ key: "name", dir: "ascending" });
  const [busy, run] = useInFlight();
  const search = useDebounced(query.trim());
  const teams = useLoad(() => api.get("/api/v1/teams", { query: { limit: 100 } }), []);
  const teamList = teams.data?.items ?? [];
  const teamName = (id: string | null) => teamList.find((t) => t.id === id)?.name ?? "";
  const users = usePages<User>(
    (cursor) =>
      api.get("/api/v1/admin/users", {
        query: {
          query: search || undefined,
          role: (role || undefined) as Role | undefined,
          teamId: teamId || undefined,
          active: active ? active === "true" : undefined,
          limit: 50,
          cursor,
        },
      }),
    JSON.stringify([search, role, teamId, active]),
  );

  async function update(user: User, change: Schemas["UserUpdate"]) {
    await run(async () => {
      try {
        const saved = (await api.put("/api/v1/admin/users/{user_id}", {
          path: { user_id: user.id },
          body: change,
        })) as User | null;
        toast(`Saved ${user.displayName}.`, "success");
        users.setItems(
          (rows) => rows?.map((u) => (u.id === user.id ? { ...u, ...change, ...(saved ?? {}) } : u)) ?? null,
        );
        teams.reload();
      } catch (failure) {
        toastFailure(failure, "Could not save.");
        users.reload();
      }
    });
  }

  async function lead(user: User, team: Team) {
    await run(async () => {
      try {
        await makeLead(user, team);
        toast(`${user.displayName} now leads ${team.name}.`, "success");
        users.setItems(
          (rows) => rows?.map((u) => (u.id === user.id && u.role === "employee" ? { ...u, role: "lead" } : u)) ?? null,
        );
        teams.reload();
      } catch (failure) {
        toastFailure(failure, "Could not make them the lead.");
      }
    });
  }

  async function erase(user: User) {
    const sure = await confirmAction({
      title: `Erase ${user.displayName}?`,
      body: "Their personal data is deleted for good; their points stay in the totals, anonymously. This cannot be undone.",
      confirmLabel: "Erase for good",
    });
    if (!sure) return;
    await run(async () => {
      try {
        await api.del("/api/v1/admin/users/{user_id}", { path: { user_id: user.id } });
        toast(`${user.displayName} was erased.`, "success");
        users.reload();
      } catch (failure) {
        toastFailure(failure, "Could not erase.");
      }
    });
  }

  const rows = users.items
    ? sortRows(users.items, sort, (u, key) =>
        key === "name"
          ? u.displayName
          : key === "team"
            ? teamName(u.teamId)
            : key === "joined"
              ? u.createdAt
              : key === "active"
                ? Number(u.active)
                : u.role,
      )
    : null;

  return (
    <main class="screen console">
      <TopBar title="People" back="/admin" />
      <p class="muted small">
        New people join through an <a href="/admin/invites">invite</a>; teams and their leads are set under{" "}
        <a href="/admin/teams">Teams</a> too.
      </p>
      <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label class="search">
          Search by name or email
          <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            <option value="">Any role</option>
            <option value="employee">Employee</option>
            <option value="lead">Lead</option>
            <option value="admin">Admin</option>
          </select>
        </label>
        <label>
          Team
          <select value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
            <option value="">Any team</option>
            {teamList.map((t) => (
              <option value={t.id} key={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={active} onChange={(e) => setActive(e.currentTarget.value)}>
            <option value="">Active or not</option>
            <option value="true">Active</option>
            <option value="false">Deactivated</option>
          </select>
        </label>
      </form>
      {users.error && !rows ? (
        <Failure error={users.error} retry={users.reload} />
      ) : !rows ? (
        <Skeleton />
      ) : rows.length === 0 ? (
        <Empty text={search ? `Nobody matches "${search}".` : "Nobody matches these filters."} />
      ) : (
        <>
          <div class="data-table-wrap">
            <table class="data-table" aria-label="People">
              <thead>
                <tr>
                  <SortHeader label="Name" column="name" sort={sort} setSort={setSort} />
                  <SortHeader label="Role" column="role" sort={sort} setSort={setSort} />
                  <SortHeader label="Team" column="team" sort={sort} setSort={setSort} />
                  <th scope="col">Team lead</th>
                  <SortHeader label="Active" column="active" sort={sort} setSort={setSort} />
                  <SortHeader label="Joined" column="joined" sort={sort} setSort={setSort} />
                  <th scope="col">
                    <span class="visually-hidden">Erase</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((u) => {
                  const team = teamList.find((t) => t.id === u.teamId);
                  const leads = team?.leadUserIds?.includes(u.id);
                  return (
                    <tr key={u.id}>
                      <td>
                        <span class="who-cell">
                          <span class="name">{u.displayName}</span>
                          <span class="muted">{u.email}</span>
                        </span>
                      </td>
                      <td>
                        <select
                          aria-label={`Role of ${u.displayName}`}
                          value={u.role}
                          disabled={busy}
                          onChange={(e) => update(u, { role: e.currentTarget.value as Role })}
                        >
                          <option value="employee">Employee</option>
                          <option value="lead">Lead</option>
                          <option value="admin">Admin</option>
                        </select>
                      </td>
                      <td>
                        <select
                          aria-label={`Team of ${u.displayName}`}
                          value={u.teamId ?? ""}
                          disabled={busy}
                          onChange={(e) => update(u, { teamId: e.currentTarget.value || null })}
                        >
                          <option value="">No team</option>
                          {teamList.map((t) => (
                            <option value={t.id} key={t.id}>
                              {t.name}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>
                        {!team ? (
                          <span class="muted">–</span>
                        ) : leads ? (
                          <span class="chip status-ok">Leads {team.name}</span>
                        ) : (
                          <button
                            type="button"
                            class="button secondary compact"
                            disabled={busy}
                            onClick={() => lead(u, team)}
                          >
                            Make lead
                            <span class="visually-hidden">
                              {" "}
                              of {team.name}: {u.displayName}
                            </span>
                          </button>
                        )}
                      </td>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`${u.displayName} is active`}
                          checked={u.active}
                          disabled={busy}
                          onChange={(e) => update(u, { active: e.currentTarget.checked })}
                        />
                      </td>
                      <td class="muted">{new Date(u.createdAt).toLocaleDateString()}</td>
                      <td>
                        <button type="button" class="linkish" disabled={busy} onClick={() => erase(u)}>
                          Erase<span class="visually-hidden"> {u.displayName}</span>
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <MoreRows
            shown={rows.length}
            hasMore={users.hasMore}
            loading={users.loading}
            more={users.more}
            noun="people"
          />
        </>
      )}
    </main>
  );
}
