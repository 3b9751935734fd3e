// Wire types of the Chorus API (camelCase JSON): names for the generated OpenAPI schemas
// (src/api/schema.d.ts, `npm run api-types`), so the server stays their one source of truth.
import type { Schemas } from "./api";

export type Network = Schemas["ShareLinkCreate"]["network"];
export type Role = Schemas["MeRead"]["role"];

// The employee app.
export type Me = Schemas["MeRead"];
export type Challenge = Schemas["ChallengeRead"];
export type MySubmission = Schemas["MySubmission"];
export type ShareLink = Schemas["ShareLinkRead"];
export type UserEntry = Schemas["UserEntry"];
export type Badge = Schemas["BadgeRead"];
export type Notification = Schemas["NotificationRead"];
export type Preferences = Schemas["PreferencesBody"];
export type Story = Schemas["StoryRead"];
export type FeedEntry = Schemas["FeedEntry"];
export type Comment = Schemas["CommentRead"];
export type Colleague = Schemas["Colleague"];

// The team-lead and admin consoles.
export type Team = Schemas["TeamRead"];
export type User = Schemas["UserRead"];
export type ReviewItem = Schemas["ReviewItem"];
export type ReviewStory = Schemas["ReviewStory"];
export type Analytics = Schemas["AnalyticsRead"];
export type Metrics = Schemas["Metrics"];
export type Pillar = Schemas["PillarRead"];
export type BadgeRule = Schemas["BadgeRule"];
export type ChallengeCreate = Schemas["ChallengeCreate"];
export type ChallengeUpdate = Schemas["ChallengeUpdate"];
export type ImportReport = Schemas["InviteImportRead"];
export type RejectedRow = Schemas["RejectedRow"];
