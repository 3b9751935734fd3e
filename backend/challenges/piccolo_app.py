from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.challenges.tables import Challenge, ChallengeMedia, Lesson, LessonAttempt, Pillar

APP_CONFIG = AppConfig(
    app_name="challenges",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "challenges"),
    table_classes=[Pillar, Challenge, Lesson, LessonAttempt, ChallengeMedia],
    migration_dependencies=["backend.orgs.piccolo_app"],
)
