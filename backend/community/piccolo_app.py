from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.community.tables import FeedItem, Story

APP_CONFIG = AppConfig(
    app_name="community",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "community"),
    table_classes=[Story, FeedItem],
    migration_dependencies=["backend.surveys.piccolo_app"],
)
