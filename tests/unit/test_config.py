"""Settings from the environment: working defaults, overrides, errors that name the variable."""

from pathlib import Path

import pytest

from services.common.config import DEFAULT_AMQP_URI, Settings
from services.common.store import persistence_env


def test_defaults_work_on_a_developer_machine():
    settings = Settings.from_env({})

    assert settings.amqp_uri == "amqp://guest:guest@127.0.0.1:5672/"
    assert settings.amqp_uri == DEFAULT_AMQP_URI
    assert settings.ports == {
        "registration": 8001,
        "budget": 8002,
        "vendors": 8003,
        "speakers": 8004,
        "checklist": 8005,
        "reporting": 8006,
    }
    assert settings.data_dir == Path("var")
    assert settings.database_url is None
    assert settings.schema_for("vendors") == "vendors"
    assert settings.sqlite_path("vendors") == Path("var") / "vendors.sqlite"
    assert settings.base_url("checklist") == "http://127.0.0.1:8005"


def test_empty_values_fall_back_to_the_defaults():
    settings = Settings.from_env(
        {"AMQP_URI": "", "HUIWU_DATA_DIR": "", "HUIWU_DATABASE_URL": "", "HUIWU_RELAY_INTERVAL": ""}
    )

    assert settings.amqp_uri == DEFAULT_AMQP_URI
    assert settings.data_dir == Path("var")
    assert settings.database_url is None
    assert settings.relay_interval == 1.0


def test_overrides_from_the_environment(tmp_path):
    settings = Settings.from_env(
        {
            "AMQP_URI": "amqp://u:secret@broker:5673/huiwu",
            "HUIWU_DATA_DIR": str(tmp_path),
            "HUIWU_DATABASE_URL": "postgresql://app:pw@db:5433/huiwu",
            "HUIWU_SCHEMA_PREFIX": "t1_",
            "HUIWU_PORT_VENDORS": "9003",
            "HUIWU_HTTP_HOST": "0.0.0.0",
            "HUIWU_RELAY_INTERVAL": "0.25",
            "HUIWU_CONSUMER_MAX_ATTEMPTS": "5",
        }
    )

    assert settings.amqp_uri == "amqp://u:secret@broker:5673/huiwu"
    assert settings.data_dir == tmp_path
    assert settings.database_url == "postgresql://app:pw@db:5433/huiwu"
    assert settings.ports["vendors"] == 9003
    assert settings.ports["checklist"] == 8005
    assert settings.relay_interval == 0.25
    assert settings.consumer_max_attempts == 5
    assert settings.schema_for("vendors") == "t1_vendors"
    assert settings.base_url("vendors") == "http://127.0.0.1:9003"
    assert settings.nameko_config("vendors")["WEB_SERVER_ADDRESS"] == "0.0.0.0:9003"


@pytest.mark.parametrize(
    "url", ["mysql://u:p@h/db", "sqlite:///var/x.sqlite", "localhost:5432", "http://db/x"]
)
def test_a_database_url_that_is_not_postgresql_is_refused_naming_the_variable(url):
    with pytest.raises(ValueError, match="HUIWU_DATABASE_URL"):
        Settings.from_env({"HUIWU_DATABASE_URL": url})


def test_a_number_that_is_not_a_number_is_refused_naming_the_variable():
    with pytest.raises(ValueError, match="HUIWU_RELAY_INTERVAL"):
        Settings.from_env({"HUIWU_RELAY_INTERVAL": "soon"})


def test_persistence_env_is_one_sqlite_file_per_service(tmp_path):
    env = persistence_env(Settings(data_dir=tmp_path), "vendors")

    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == str(tmp_path / "vendors.sqlite")


def test_persistence_env_reads_the_postgresql_url():
    settings = Settings.from_env(
        {
            "HUIWU_DATABASE_URL": "postgresql://app:p%40ss@db.example:5433/huiwu",
            "HUIWU_SCHEMA_PREFIX": "x_",
        }
    )
    env = persistence_env(settings, "checklist")

    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert env["POSTGRES_HOST"] == "db.example"
    assert env["POSTGRES_PORT"] == "5433"
    assert env["POSTGRES_DBNAME"] == "huiwu"
    assert env["POSTGRES_USER"] == "app"
    assert env["POSTGRES_PASSWORD"] == "p@ss"
    assert env["POSTGRES_SCHEMA"] == "x_checklist"
