"""Piccolo's configuration module (PICCOLO_CONF): the engine and the apps with migrations."""

from piccolo.conf.apps import AppRegistry

from backend.db import DB

APP_REGISTRY = AppRegistry(
    apps=[
        "backend.orgs.piccolo_app",
        "backend.sso.piccolo_app",
        "backend.challenges.piccolo_app",
        "backend.sharing.piccolo_app",
        "backend.submissions.piccolo_app",
        "backend.points.piccolo_app",
        "backend.badges.piccolo_app",
        "backend.notifications.piccolo_app",
        "backend.analytics.piccolo_app",
        "backend.surveys.piccolo_app",
        "backend.community.piccolo_app",
        "backend.scim.piccolo_app",
        "backend.rewards.piccolo_app",
        "backend.walls.piccolo_app",
    ]
)

__all__ = ["APP_REGISTRY", "DB"]
