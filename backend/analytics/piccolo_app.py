from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.analytics.tables import OfficialClick, OfficialLink

APP_CONFIG = AppConfig(
    app_name="analytics",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "analytics"),
    table_classes=[OfficialLink, OfficialClick],
    migration_dependencies=["backend.notifications.piccolo_app"],
)
