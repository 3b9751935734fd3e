// People at company scale: search among thousands, filter by role, team and status, set roles
// and teams in the row, and make someone their team's lead in one click.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api, type Schemas, toastFailure } from "../api";
import { Empty, Failure, Skeleton, TopBar } from "../components";
import { formatDate, t, tRich } from "../i18n";
import { useInFlight } from "../inflight";
import { useLoad } from "../load";
import { toast } from "../store";
import type { Role, Team, User } from "../types";
import { confirmAction, MoreRows, type Sort, SortHeader, sortRows, useDebounced, usePages } from "./kit";

type Column = "name" | "role" | "team" | "active" | "joined";

/** The visually hidden rest of a button's name. */
const hidden = (chunks: ComponentChildren) => <span class="visually-hidden">{chunks}</span>;

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
  const teamName = (id: string | null) => teamList.find((x) => x.id === id)?.name ?? "";
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
        toast(t("consolePeople.saved", { name: user.displayName }), "success");
        users.setItems(
          (rows) => rows?.map((u) => (u.id === user.id ? { ...u, ...change, ...(saved ?? {}) } : u)) ?? null,
        );
        teams.reload();
      } catch (failure) {
        toastFailure(failure, t("consolePeople.saveFailed"));
        users.reload();
      }
    });
  }

  async function lead(user: User, team: Team) {
    await run(async () => {
      try {
        await makeLead(user, team);
        toast(t("consolePeople.leadAdded", { person: user.displayName, team: team.name }), "success");
        users.setItems(
          (rows) => rows?.map((u) => (u.id === user.id && u.role === "employee" ? { ...u, role: "lead" } : u)) ?? null,
        );
        teams.reload();
      } catch (failure) {
        toastFailure(failure, t("consolePeople.leadFailed"));
      }
    });
  }

  async function erase(user: User) {
    const sure = await confirmAction({
      title: t("consolePeople.eraseTitle", { name: user.displayName }),
      body: t("consolePeople.eraseBody"),
      confirmLabel: t("consolePeople.eraseConfirm"),
    });
    if (!sure) return;
    await run(async () => {
      try {
        await api.del("/api/v1/admin/users/{user_id}", { path: { user_id: user.id } });
        toast(t("consolePeople.erased", { name: user.displayName }), "success");
        users.reload();
      } catch (failure) {
        toastFailure(failure, t("consolePeople.eraseFailed"));
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
      <TopBar title={t("consolePeople.title")} back="/admin" />
      <p class="muted small">
        {tRich("consolePeople.intro", {
          invites: (chunks: ComponentChildren) => <a href="/admin/invites">{chunks}</a>,
          teams: (chunks: ComponentChildren) => <a href="/admin/teams">{chunks}</a>,
        })}
      </p>
      <form class="toolbar" role="search" onSubmit={(e) => e.preventDefault()}>
        <label class="search">
          {t("consolePeople.search")}
          <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
        <label>
          {t("consolePeople.role")}
          <select value={role} onChange={(e) => setRole(e.currentTarget.value)}>
            <option value="">{t("consolePeople.anyRole")}</option>
            <option value="employee">{t("consolePeople.roleEmployee")}</option>
            <option value="lead">{t("consolePeople.roleLead")}</option>
            <option value="admin">{t("consolePeople.roleAdmin")}</option>
          </select>
        </label>
        <label>
          {t("consolePeople.team")}
          <select value={teamId} onChange={(e) => setTeamId(e.currentTarget.value)}>
            <option value="">{t("consolePeople.anyTeam")}</option>
            {teamList.map((x) => (
              <option value={x.id} key={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t("consolePeople.status")}
          <select value={active} onChange={(e) => setActive(e.currentTarget.value)}>
            <option value="">{t("consolePeople.anyStatus")}</option>
            <option value="true">{t("consolePeople.active")}</option>
            <option value="false">{t("consolePeople.deactivated")}</option>
          </select>
        </label>
      </form>
      {users.error && !rows ? (
        <Failure error={users.error} retry={users.reload} />
      ) : !rows ? (
        <Skeleton />
      ) : rows.length === 0 ? (
        <Empty text={search ? t("consolePeople.noMatch", { search }) : t("consolePeople.noMatchFilters")} />
      ) : (
        <>
          <div class="data-table-wrap">
            <table class="data-table" aria-label={t("consolePeople.title")}>
              <thead>
                <tr>
                  <SortHeader label={t("consolePeople.name")} column="name" sort={sort} setSort={setSort} />
                  <SortHeader label={t("consolePeople.role")} column="role" sort={sort} setSort={setSort} />
                  <SortHeader label={t("consolePeople.team")} column="team" sort={sort} setSort={setSort} />
                  <th scope="col">{t("consolePeople.teamLead")}</th>
                  <SortHeader label={t("consolePeople.active")} column="active" sort={sort} setSort={setSort} />
                  <SortHeader label={t("consolePeople.joined")} column="joined" sort={sort} setSort={setSort} />
                  <th scope="col">
                    <span class="visually-hidden">{t("consolePeople.erase")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {rows.map((u) => {
                  const team = teamList.find((x) => x.id === u.teamId);
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
                          aria-label={t("consolePeople.roleOf", { name: u.displayName })}
                          value={u.role}
                          disabled={busy}
                          onChange={(e) => update(u, { role: e.currentTarget.value as Role })}
                        >
                          <option value="employee">{t("consolePeople.roleEmployee")}</option>
                          <option value="lead">{t("consolePeople.roleLead")}</option>
                          <option value="admin">{t("consolePeople.roleAdmin")}</option>
                        </select>
                      </td>
                      <td>
                        <select
                          aria-label={t("consolePeople.teamOf", { name: u.displayName })}
                          value={u.teamId ?? ""}
                          disabled={busy}
                          onChange={(e) => update(u, { teamId: e.currentTarget.value || null })}
                        >
                          <option value="">{t("consolePeople.noTeam")}</option>
                          {teamList.map((x) => (
                            <option value={x.id} key={x.id}>
                              {x.name}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>
                        {!team ? (
                          <span class="muted">–</span>
                        ) : leads ? (
                          <span class="chip status-ok">{t("consolePeople.leads", { team: team.name })}</span>
                        ) : (
                          <button
                            type="button"
                            class="button secondary compact"
                            disabled={busy}
                            onClick={() => lead(u, team)}
                          >
                            {tRich("consolePeople.makeLead", { team: team.name, name: u.displayName, hidden })}
                          </button>
                        )}
                      </td>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={t("consolePeople.isActive", { name: u.displayName })}
                          checked={u.active}
                          disabled={busy}
                          onChange={(e) => update(u, { active: e.currentTarget.checked })}
                        />
                      </td>
                      <td class="muted">
                        {formatDate(u.createdAt, { year: "numeric", month: "numeric", day: "numeric" })}
                      </td>
                      <td>
                        <button type="button" class="linkish" disabled={busy} onClick={() => erase(u)}>
                          {tRich("consolePeople.eraseNamed", { name: u.displayName, hidden })}
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
