from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.orgs.tables import Invite, Organization, PasswordReset, Team, TeamLead, User

APP_CONFIG = AppConfig(
    app_name="orgs",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "orgs"),
    table_classes=[Organization, Team, User, TeamLead, Invite, PasswordReset],
)
