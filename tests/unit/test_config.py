"""Settings from the environment: working defaults, overrides, errors that name the variable."""

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from services.common.config import DEFAULT_AMQP_URI, Settings
from services.common.registry import load
from services.common.store import persistence_env
from services.registry import SERVICES

ROOT = Path(__file__).resolve().parents[2]


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


def test_a_waitlist_offer_holds_48_hours_unless_set_and_never_0():
    assert Settings.from_env({}).waitlist_offer_hours == 48.0
    assert Settings.from_env({"HUIWU_WAITLIST_OFFER_HOURS": "0.5"}).waitlist_offer_hours == 0.5
    with pytest.raises(ValueError, match="HUIWU_WAITLIST_OFFER_HOURS"):
        Settings.from_env({"HUIWU_WAITLIST_OFFER_HOURS": "0"})


def test_persistence_env_is_one_sqlite_file_per_service(tmp_path):
    env = persistence_env(Settings(data_dir=tmp_path), "vendors")

    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == str(tmp_path / "vendors.sqlite")


def test_persistence_env_connects_to_the_url_s_database_as_the_service_s_own_role():
    settings = Settings.from_env(
        {
            "HUIWU_DATABASE_URL": "postgresql://admin:root@db.example:5433/huiwu",
            "HUIWU_SCHEMA_PREFIX": "x_",
            "HUIWU_DATABASE_PASSWORD_CHECKLIST": "p@ss",
        }
    )
    env = persistence_env(settings, "checklist")

    assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    assert env["POSTGRES_HOST"] == "db.example"
    assert env["POSTGRES_PORT"] == "5433"
    assert env["POSTGRES_DBNAME"] == "huiwu"
    assert env["POSTGRES_USER"] == "huiwu_checklist"
    assert env["POSTGRES_PASSWORD"] == "p@ss"
    assert env["POSTGRES_SCHEMA"] == "x_checklist"
    assert "root" not in repr(persistence_env(settings, "vendors"))


def test_each_service_and_the_admin_has_its_own_role_url_and_password():
    settings = Settings.from_env(
        {
            "HUIWU_DATABASE_URL": "postgresql://super:root@[::1]:5433/huiwu?sslmode=require",
            "HUIWU_DATABASE_ROLE_PREFIX": "acme_",
            "HUIWU_DATABASE_PASSWORD_VENDORS": "v/1:@",
            "HUIWU_DATABASE_PASSWORD_ADMIN": "a1",
            "HUIWU_SCHEMA_PREFIX": "t1_",
        }
    )

    assert settings.role_for("vendors") == "acme_vendors"
    assert settings.database_url_for("vendors") == (
        "postgresql://acme_vendors:v%2F1%3A%40@[::1]:5433/huiwu?sslmode=require"
    )
    assert settings.database_url_for("checklist") == (
        "postgresql://acme_checklist@[::1]:5433/huiwu?sslmode=require"
    )
    assert settings.database_url_for("admin") == (
        "postgresql://acme_admin:a1@[::1]:5433/huiwu?sslmode=require"
    )
    assert settings.identity_schema == "t1_huiwu_identity"
    assert Settings().identity_schema == "huiwu_identity"
    assert "v/1" not in repr(settings)


@pytest.mark.parametrize("prefix", ["Acme", "a-b_", "x; DROP"])
def test_a_role_prefix_that_would_need_quoting_is_refused_naming_the_variable(prefix):
    with pytest.raises(ValueError, match="HUIWU_DATABASE_ROLE_PREFIX"):
        Settings.from_env({"HUIWU_DATABASE_ROLE_PREFIX": prefix})


def test_a_role_url_without_a_database_says_the_stores_are_sqlite():
    with pytest.raises(ValueError, match="HUIWU_DATABASE_URL"):
        Settings().database_url_for("vendors")


def test_the_services_and_their_ports_come_from_the_registry():
    registry = load()
    settings = Settings()

    assert settings.services == registry.names == tuple(spec.name for spec in SERVICES)
    assert settings.ports == {spec.name: spec.port for spec in SERVICES}
    assert registry.upstreams("reporting") == tuple(
        spec.name for spec in SERVICES if spec.name != "reporting"
    )


def test_failpoints_are_a_set_of_names_from_the_environment():
    settings = Settings.from_env(
        {"HUIWU_FAILPOINTS": " relay.before_publish, ,consumer.after_commit,relay.before_publish"}
    )

    assert settings.failpoints == frozenset({"relay.before_publish", "consumer.after_commit"})
    assert Settings.from_env({}).failpoints == frozenset()


def test_a_failpoint_that_is_switched_on_kills_the_process_and_the_others_do_nothing():
    script = (
        "from services.common.failpoints import Failpoints\n"
        "points = Failpoints({'relay.before_publish'})\n"
        "points.hit('consumer.after_commit')\n"
        "print('passed', flush=True)\n"
        "points.hit('relay.before_publish')\n"
        "print('survived', flush=True)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == -signal.SIGKILL
    assert done.stdout == "passed\n"


def test_each_service_connects_as_its_own_broker_user():
    settings = Settings.from_env(
        {
            "AMQP_URI": "amqp://guest:guest@broker:5673/huiwu",
            "HUIWU_BROKER_PASSWORD_VENDORS": "s3cret/+",
        }
    )

    assert settings.broker_uri("vendors") == "amqp://huiwu-vendors:s3cret%2F%2B@broker:5673/huiwu"
    # unset: the documented development password
    assert settings.broker_uri("checklist") == (
        "amqp://huiwu-checklist:huiwu-checklist-dev@broker:5673/huiwu"
    )
    assert settings.nameko_config("vendors")["AMQP_URI"] == settings.broker_uri("vendors")
    assert settings.broker_uri("auditor").startswith("amqp://huiwu-auditor:")


def test_the_badge_font_is_a_path_when_given():
    assert Settings.from_env({}).badge_font is None
    given = Settings.from_env({"HUIWU_BADGE_FONT": "/fonts/NotoSerifSC.ttf"})
    assert str(given.badge_font) == "/fonts/NotoSerifSC.ttf"


@pytest.mark.parametrize("size", ["0", "1001", "-5", "2.5"])
def test_a_consumer_page_size_outside_one_log_page_is_refused_naming_the_variable(size):
    with pytest.raises(ValueError, match="HUIWU_CONSUMER_PAGE_SIZE"):
        Settings.from_env({"HUIWU_CONSUMER_PAGE_SIZE": size})


def test_a_consumer_reads_pages_of_500_unless_set():
    assert Settings.from_env({}).consumer_page_size == 500
    assert Settings.from_env({"HUIWU_CONSUMER_PAGE_SIZE": "1000"}).consumer_page_size == 1000
