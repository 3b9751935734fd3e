from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.badges.tables import Badge, UserBadge

APP_CONFIG = AppConfig(
    app_name="badges",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "badges"),
    table_classes=[Badge, UserBadge],
    migration_dependencies=["backend.points.piccolo_app"],
)
