from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.notifications.tables import Notification, NotificationPrefs, PushSubscription

APP_CONFIG = AppConfig(
    app_name="notifications",
    migrations_folder_path=str(
        Path(__file__).resolve().parents[2] / "migrations" / "notifications"
    ),
    table_classes=[PushSubscription, Notification, NotificationPrefs],
    migration_dependencies=["backend.badges.piccolo_app"],
)
