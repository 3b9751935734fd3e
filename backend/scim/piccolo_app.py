from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.scim.tables import ScimGroup, ScimToken, ScimUser

APP_CONFIG = AppConfig(
    app_name="scim",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "scim"),
    table_classes=[ScimToken, ScimUser, ScimGroup],
    migration_dependencies=["backend.orgs.piccolo_app"],
)
