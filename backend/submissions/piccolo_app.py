from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.submissions.tables import Submission

APP_CONFIG = AppConfig(
    app_name="submissions",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "submissions"),
    table_classes=[Submission],
    migration_dependencies=["backend.sharing.piccolo_app"],
)
