from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.points.tables import BoardOutbox, PointsLedger

APP_CONFIG = AppConfig(
    app_name="points",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "points"),
    table_classes=[PointsLedger, BoardOutbox],
    migration_dependencies=["backend.submissions.piccolo_app"],
)
