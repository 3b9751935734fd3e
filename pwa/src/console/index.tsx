// The console chunk: team-lead and admin screens, loaded only when someone opens them.
import { match } from "../router";
import { AdminConsole } from "./admin";
import { TeamConsole } from "./team";

export function Console({ path }: { path: string }) {
  if (path.startsWith("/admin")) return <AdminConsole path={path} />;
  const team = match("/team/:id", path);
  return <TeamConsole teamId={team?.id ?? null} />;
}
