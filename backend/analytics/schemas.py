"""Wire types of the team dashboard, impact analytics and official links."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

import msgspec

from backend.challenges.schemas import Network
from backend.core.wire import Wire


class Metrics(Wire):
    """What one slice of the program did over the range (see README, "Impact analytics")."""

    shares_claimed: int
    shares_verified: int
    unique_clicks: int
    clicks_per_share: float | None  # unique clicks per verified share
    participants: int  # people with at least one verified share
    members: int  # people who could take part
    participation_rate: float | None
    points_awarded: int


class ChallengeMetrics(Metrics):
    challenge_id: UUID
    title: str


class PillarMetrics(Metrics):
    pillar_id: UUID | None  # None: challenges without a narrative pillar
    title: str


class TeamMetrics(Metrics):
    team_id: UUID | None  # None: people in no team
    name: str


class NetworkMetrics(Metrics):
    network: str


class LanguageMetrics(Metrics):
    """The people who read Chorus in one language (their choice, else the organization's)."""

    language: str


class Amplification(Wire):
    official_posts: int
    official_unique_clicks: int
    clicks_per_official_post: float | None
    clicks_per_employee_share: float | None
    ratio: float | None  # employee share ÷ official post, when both are known


class AnalyticsRead(Wire):
    from_date: date = msgspec.field(name="from")
    to_date: date = msgspec.field(name="to")
    timezone: str
    totals: Metrics
    by_challenge: list[ChallengeMetrics]
    by_pillar: list[PillarMetrics]
    by_team: list[TeamMetrics]
    by_network: list[NetworkMetrics]
    by_language: list[LanguageMetrics]
    amplification: Amplification


class MemberActivity(Wire):
    user_id: UUID
    display_name: str
    points: int
    verified_shares: int
    unique_clicks: int
    last_active_at: datetime | None
    last_nudged_at: datetime | None
    nudgeable: bool  # no activity in the last 7 days and not nudged this week


class WeekTrend(Wire):
    week: str  # ISO week, e.g. 2026-W48
    starts_on: date
    points: int
    verified_shares: int
    active_members: int


class TeamRank(Wire):
    total: int | None
    per_capita: float | None  # the team's points per member
    per_capita_rank: int | None  # None when the team is too small to rank per person
    teams: int


class Participation(Wire):
    active: int
    members: int
    rate: float | None


class DashboardRead(Wire):
    team_id: UUID
    name: str
    from_date: date = msgspec.field(name="from")
    to_date: date = msgspec.field(name="to")
    members: list[MemberActivity]
    participation: Participation
    trend: list[WeekTrend]
    rank: TeamRank
    points: int
    verified_shares: int
    unique_clicks: int


class NudgeCreate(Wire):
    # Default: every member who has been quiet for a week.
    user_ids: Annotated[list[UUID], msgspec.Meta(max_length=500)] | None = None


class Nudged(Wire):
    user_id: UUID
    delivery: str  # "push" (sent now), "inbox" (held by the person's budget or quiet hours)


class NudgeSkipped(Wire):
    user_id: UUID
    reason: str  # active | nudged_this_week | not_in_team


class NudgeRead(Wire):
    nudged: list[Nudged]
    skipped: list[NudgeSkipped]


class OfficialLinkCreate(Wire):
    label: Annotated[str, msgspec.Meta(min_length=1, max_length=120)]
    url: Annotated[str, msgspec.Meta(min_length=8, max_length=2048)]
    network: Network


class OfficialLinkRead(Wire):
    id: UUID
    code: str
    label: str
    network: str
    url: str
    tracked_url: str
    unique_clicks: int
    created_at: datetime


class ClicksSetAside(Wire):
    """Clicks that did not count, by why (see README, "Only a click that means a person")."""

    session: int = 0  # the sharer's own session
    sharer_address: int = 0  # an address the sharer uses Chorus from
    same_visitor: int = 0  # the same address on the same link within 24 h
    rate_limit: int = 0  # one address clicking too fast
    bot: int = 0  # crawlers and link-preview fetchers
    unverified_bot: int = 0  # a network's preview bot by name, from outside its addresses


class ChallengeIntegrity(Wire):
    challenge_id: UUID
    title: str
    unique: int  # the clicks that counted
    set_aside: ClicksSetAside


class PersonFlag(Wire):
    """Someone whose numbers look unlike a person sharing with their network."""

    user_id: UUID
    display_name: str
    refused_clicks: int  # clicks on their links from themselves or too fast from one address
    unique_clicks: int
    why: str  # in words, for the admin


class KudosPair(Wire):
    giver_id: UUID
    giver_name: str
    receiver_id: UUID
    receiver_name: str
    count: int
    mutual: bool  # the receiver gave the giver as many or more back


class IntegrityRead(Wire):
    """What the game set aside and who to look at, over a range of days."""

    from_date: date
    to_date: date
    challenges: list[ChallengeIntegrity]
    people: list[PersonFlag]
    kudos_pairs: list[KudosPair]


class WeekParticipation(Wire):
    """People who earned points since Monday (organization time) among the active people."""

    active: int
    total: int
    rate: float  # 0..1


class Overview(Wire):
    """The console home's counts: what waits for action, and this week's participation."""

    to_review: int  # shares and stories waiting for an admin's review
    reports: int  # open reports on community posts
    pending_invites: int
    redemptions: int  # reward redemptions requested, waiting for an admin to fulfil
    active_challenges: int
    participation_this_week: WeekParticipation


class LessonMetrics(Wire):
    """One lesson over the range: who tried its quiz, who passed it, out of whom it is for."""

    challenge_id: UUID
    title: str
    members: int  # people it is open to
    attempted: int  # people who answered its quiz at least once in the range
    passed: int  # people who passed it in the range
    completion_rate: float | None  # passed ÷ members
    attempts: int
    average_score: float | None  # over every attempt in the range, per cent


class LessonTeamMetrics(Wire):
    """One team's lessons over the range: passes out of the lessons open to its members."""

    team_id: UUID | None  # None: people in no team
    name: str
    members: int
    learners: int  # members who passed at least one lesson in the range
    passes: int  # lessons passed (one per person and lesson)
    possible: int  # members x the lessons open to the team
    completion_rate: float | None  # passes ÷ possible


class LessonAnalytics(Wire):
    from_date: date = msgspec.field(name="from")
    to_date: date = msgspec.field(name="to")
    timezone: str
    by_lesson: list[LessonMetrics]
    by_team: list[LessonTeamMetrics]


class EngagementMetrics(Wire):
    """The public engagement of one slice's verified shares, as their latest re-read showed it
    (backend/submissions/engagement.py): reactions and comments where the network shows them."""

    shares_verified: int
    shares_read: int  # verified shares with counts read (X posts show none)
    reactions: int
    comments: int
    engagement: int  # reactions + comments
    engagement_per_share: float | None  # engagement ÷ shares read


class ChallengeEngagement(EngagementMetrics):
    challenge_id: UUID
    title: str


class PillarEngagement(EngagementMetrics):
    pillar_id: UUID | None  # None: challenges without a narrative pillar
    title: str


class TeamEngagement(EngagementMetrics):
    team_id: UUID | None  # None: people in no team
    name: str


class EngagementComparison(Wire):
    """Employee posts against the organization's official posts (official links)."""

    employee_posts_read: int
    engagement_per_employee_post: float | None
    official_posts_read: int
    engagement_per_official_post: float | None
    ratio: float | None  # employee ÷ official, when both sides have counts


class EngagementRead(Wire):
    from_date: date = msgspec.field(name="from")
    to_date: date = msgspec.field(name="to")
    timezone: str
    totals: EngagementMetrics
    by_challenge: list[ChallengeEngagement]
    by_pillar: list[PillarEngagement]
    by_team: list[TeamEngagement]
    comparison: EngagementComparison
