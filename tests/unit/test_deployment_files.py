"""docker-compose runs the same services as `huiwu up`, and its files are valid."""

import shutil
import subprocess
from pathlib import Path

import yaml

from services.common.registry import load

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SERVICES = load().names  # every service of the registry
DEFAULT_PORTS = {spec.name: spec.port for spec in load()}


def compose():
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def test_compose_runs_every_service_from_one_image_with_its_port_and_health_check():
    services = compose()["services"]
    assert set(services) == set(SERVICES) | {"rabbitmq", "postgres", "prometheus", "broker-users"}
    images = {services[name]["image"] for name in SERVICES}
    assert len(images) == 1
    for name in SERVICES:
        service = services[name]
        assert service["command"] == ["python", "-m", "huiwu.runner", name]
        assert service["build"]["dockerfile"] == "infra/Dockerfile"
        assert any(str(p).endswith(f":{DEFAULT_PORTS[name]}") for p in service["ports"])
        assert "healthcheck" in service
        assert service["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["environment"]["HUIWU_DATABASE_URL"].startswith("postgresql://")


def test_compose_takes_credentials_from_the_environment_and_keeps_data_in_volumes():
    text = COMPOSE.read_text(encoding="utf-8")
    assert "guest" not in text
    document = compose()
    assert {"rabbitmq-data", "postgres-data"} <= set(document["volumes"])
    users = document["services"]["broker-users"]
    assert "HUIWU_RABBITMQ_PASSWORD" in users["environment"]["HUIWU_RABBITMQ_PASSWORD"]
    assert document["services"]["rabbitmq"]["depends_on"]["broker-users"] == {
        "condition": "service_completed_successfully"
    }


def test_compose_gives_each_service_its_own_broker_password_and_no_other():
    services = compose()["services"]
    every = {f"HUIWU_BROKER_PASSWORD_{name.upper()}" for name in (*SERVICES, "auditor")}
    assert every <= set(services["broker-users"]["environment"])
    for name in SERVICES:
        environment = services[name]["environment"]
        assert "@" not in environment["AMQP_URI"]  # no shared credentials
        passwords = {key for key in environment if key.startswith("HUIWU_BROKER_PASSWORD_")}
        assert passwords == {f"HUIWU_BROKER_PASSWORD_{name.upper()}"}


def test_docker_compose_config_accepts_the_file_with_the_example_environment():
    docker_compose = shutil.which("docker-compose")
    assert docker_compose, "docker-compose is installed by .ci/run (Debian package)"
    checked = subprocess.run(
        [docker_compose, "--env-file", ".env.example", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stderr


def test_docker_compose_config_refuses_to_run_without_credentials(tmp_path):
    empty = tmp_path / "empty.env"
    empty.write_text("")
    checked = subprocess.run(
        [shutil.which("docker-compose"), "--env-file", str(empty), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode != 0
    assert "HUIWU_RABBITMQ_USER" in checked.stderr


def test_prometheus_configuration_and_alert_rules_pass_promtool():
    promtool = shutil.which("promtool")
    assert promtool, "promtool is installed by .ci/run (Debian package prometheus)"
    for args in (
        ["check", "config", "infra/prometheus.yml"],
        ["check", "rules", "infra/prometheus/alerts.yml"],
        ["test", "rules", "infra/prometheus/alerts_test.yml"],
    ):
        checked = subprocess.run(
            [promtool, *args], cwd=ROOT, capture_output=True, text=True, timeout=60
        )
        assert checked.returncode == 0, (args, checked.stdout, checked.stderr)
