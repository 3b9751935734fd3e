// Wire types of the Chorus API (camelCase JSON), as the employee app reads them.
export type Network = "linkedin" | "x" | "facebook" | "email" | "whatsapp";
export type Role = "employee" | "lead" | "admin";

export interface Me {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  orgId: string;
  orgName: string;
  team: { id: string; name: string } | null;
  timezone: string;
  hideFromLeaderboards: boolean;
  leadsTeamIds: string[];
  points: number;
  level: number;
  nextLevelPoints: number | null;
  streakWeeks: number;
  streakFreezes: number;
  badges: string[];
}

export interface MySubmission {
  id: string;
  network: Network;
  postUrl: string | null;
  status: "pending" | "verified" | "rejected" | "needs_review" | "revoked";
  pointsAwarded: number;
  reason: string | null;
}

export interface Challenge {
  id: string;
  slug: string;
  kind: string;
  title: string;
  description: string;
  pillar: { id: string; title: string } | null;
  contentUrl: string;
  shareText: Partial<Record<Network, string | null>>;
  hashtags: string[];
  networks: Network[];
  points: number;
  clickPoints: number;
  startsAt: string;
  endsAt: string;
  verification: "auto" | "clicks" | "review" | "trust";
  status: string;
  preview: {
    status: "pending" | "ok" | "failed";
    title: string | null;
    description: string | null;
    imageUrl: string | null;
  };
  myStatus: "todo" | "pending" | "verified" | "rejected" | null;
  mySubmission?: MySubmission | null;
}

export interface ShareLink {
  code: string;
  network: Network;
  trackedUrl: string;
  intentUrl: string;
  shareText: string;
}

export interface UserEntry {
  rank: number;
  userId: string | null;
  displayName: string;
  teamName: string | null;
  points: number;
  isMe: boolean;
}

export interface UsersBoard {
  period: string;
  periodId: string;
  total: number;
  entries: UserEntry[];
  me: { rank: number; points: number } | null;
  around: UserEntry[];
}

export interface TeamEntry {
  rank: number | null;
  teamId: string;
  name: string;
  points: number;
  members: number;
  totalPoints: number;
}

export interface TeamsBoard {
  period: string;
  metric: string;
  entries: TeamEntry[];
  unranked: TeamEntry[];
  minTeamSize: number;
}

export interface Badge {
  id: string;
  code: string;
  name: string;
  description: string;
  iconUrl: string;
  points: number;
  earnedAt: string | null;
  retired: boolean;
  progress: { current: number; target: number } | null;
}

export interface Notification {
  id: string;
  category: string;
  title: string;
  body: string;
  url: string;
  pushed: boolean;
  createdAt: string;
  readAt: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Preferences {
  categories: Record<string, boolean>;
  quietStart: number | null;
  quietEnd: number | null;
  dailyCap: number;
}
