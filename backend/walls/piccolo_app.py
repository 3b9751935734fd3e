from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.walls.tables import Wall

APP_CONFIG = AppConfig(
    app_name="walls",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "walls"),
    table_classes=[Wall],
    migration_dependencies=["backend.orgs.piccolo_app"],
)
