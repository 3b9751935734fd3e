from pathlib import Path

import pytest

from backend.settings import SettingsError, dev_secret_key, load_settings

BASE = {"CHORUS_DATABASE_URL": "postgresql://x/y", "CHORUS_REDIS_URL": "redis://x"}


def test_reads_typed_values_from_chorus_variables(tmp_path: Path) -> None:
    settings = load_settings(
        {
            **BASE,
            "CHORUS_PORT": "9001",
            "CHORUS_OPEN_SIGNUP": "false",
            "CHORUS_DOTENV": str(tmp_path / "none"),
            "OTHER": "ignored",
        }
    )
    assert settings.port == 9001
    assert settings.signup_open is False
    assert settings.database_url == "postgresql://x/y"


def test_dotenv_fills_only_what_the_environment_lacks(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text('# comment\nCHORUS_PORT=7000\nexport CHORUS_HOST="0.0.0.0"\n')
    settings = load_settings({**BASE, "CHORUS_DOTENV": str(dotenv), "CHORUS_PORT": "7100"})
    assert settings.port == 7100
    assert settings.host == "0.0.0.0"


def test_a_bad_value_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="port"):
        load_settings({**BASE, "CHORUS_PORT": "eighty", "CHORUS_DOTENV": str(tmp_path / "x")})


@pytest.mark.parametrize("secret", ["", "change-me", "short-but-not-default"])
def test_production_refuses_a_missing_default_or_short_secret(secret: str, tmp_path: Path) -> None:
    settings = load_settings(
        {
            **BASE,
            "CHORUS_ENV": "production",
            "CHORUS_SECRET_KEY": secret,
            "CHORUS_DOTENV": str(tmp_path / "x"),
        }
    )
    with pytest.raises(SettingsError, match="CHORUS_SECRET_KEY"):
        settings.check()


def test_production_accepts_a_long_random_secret_and_keeps_cookies_secure(tmp_path: Path) -> None:
    settings = load_settings(
        {
            **BASE,
            "CHORUS_ENV": "production",
            "CHORUS_SECRET_KEY": "k" * 40,
            "CHORUS_DOTENV": str(tmp_path / "x"),
        }
    )
    settings.check()
    assert settings.secure_cookies is True
    assert settings.signup_open is False


def test_missing_urls_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="CHORUS_DATABASE_URL"):
        load_settings({"CHORUS_ENV": "dev", "CHORUS_DOTENV": str(tmp_path / "x")}).check()


def test_dev_secret_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = dev_secret_key(tmp_path)
    assert len(first) >= 32
    assert dev_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_redis_url_with_a_user_and_password_reaches_every_arq_pool(tmp_path: Path) -> None:
    """docker-compose.yml's CHORUS_REDIS_URL carries Valkey's ACL user and its password: arq's
    pools (the API's, the worker's) connect with both, percent-decoded as redis-py decodes them."""
    from backend import jobs

    url = "redis://chorus:s3cret%3A%40x@redis:6380/2"
    settings = load_settings(
        {**BASE, "CHORUS_REDIS_URL": url, "CHORUS_DOTENV": str(tmp_path / "x")}
    )
    assert settings.redis_url == url
    arq = jobs.redis_settings(settings.redis_url)
    assert (arq.username, arq.password) == ("chorus", "s3cret:@x")
    assert (arq.host, arq.port, arq.database) == ("redis", 6380, 2)
    plain = jobs.redis_settings("redis://127.0.0.1:6379/0")
    assert (plain.username, plain.password) == (None, None)
