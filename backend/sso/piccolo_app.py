from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.sso.tables import SsoConfig, SsoDomain

APP_CONFIG = AppConfig(
    app_name="sso",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "sso"),
    table_classes=[SsoConfig, SsoDomain],
    migration_dependencies=["backend.orgs.piccolo_app"],
)
