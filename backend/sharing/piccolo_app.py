from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.sharing.tables import Click, ShareLink

APP_CONFIG = AppConfig(
    app_name="sharing",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "sharing"),
    table_classes=[ShareLink, Click],
    migration_dependencies=["backend.challenges.piccolo_app"],
)
