from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.rewards.tables import PointsSpent, Raffle, Redemption, Reward

APP_CONFIG = AppConfig(
    app_name="rewards",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "rewards"),
    table_classes=[Reward, Redemption, PointsSpent, Raffle],
    migration_dependencies=["backend.points.piccolo_app"],
)
