from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.surveys.tables import Survey, SurveyAnswer, SurveyParticipation

APP_CONFIG = AppConfig(
    app_name="surveys",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "surveys"),
    table_classes=[Survey, SurveyParticipation, SurveyAnswer],
    migration_dependencies=["backend.analytics.piccolo_app"],
)
