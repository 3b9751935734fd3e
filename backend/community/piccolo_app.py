from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.community.tables import (
    Comment,
    FeedItem,
    Kudos,
    Reaction,
    Report,
    Story,
    StoryPhoto,
)

APP_CONFIG = AppConfig(
    app_name="community",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "community"),
    table_classes=[StoryPhoto, Story, FeedItem, Reaction, Comment, Kudos, Report],
    migration_dependencies=["backend.surveys.piccolo_app"],
)
