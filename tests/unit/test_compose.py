"""docker-compose.yml: valid against the Compose Specification's JSON schema, and the topology's rules.

Docker does not run here; the file is checked, not started. The schema is the one the
`check-jsonschema` package ships (`vendor.compose-spec`), a dev dependency.
"""
from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from archive.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def _validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
                           str(path)], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _argv(service: dict) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_the_file_follows_the_compose_specification():
    result = _validate(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_catches_a_broken_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text().replace("restart: \"no\"", "restart: \"no\"\n    depend_on: [postgres]"))
    result = _validate(broken)
    assert result.returncode != 0 and "depend_on" in result.stdout + result.stderr


@pytest.mark.parametrize("name", ["api", "worker", "beat"])
def test_the_services_wait_for_the_migration(compose, name):
    depends = compose["services"][name]["depends_on"]
    assert depends["migrate"] == {"condition": "service_completed_successfully"}
    assert _argv(compose["services"]["migrate"]) == ["ortak", "db", "upgrade"]


def test_no_build_step_hides_its_failure():
    text = COMPOSE.read_text()
    assert not re.search(r"\|\|\s*true\b", text)
    assert not re.search(r"\|\|\s*:\s*(\)|$)", text, re.M)  # `|| :` is the same thing


def test_exactly_one_scheduler(compose):
    """Each `ortak beat` and each `ortak worker` without --no-beat runs a scheduler, per replica."""
    schedulers = {}
    for name, service in compose["services"].items():
        argv = _argv(service)
        if argv[:2] == ["ortak", "beat"] or (argv[:2] == ["ortak", "worker"] and "--no-beat" not in argv):
            schedulers[name] = service.get("deploy", {}).get("replicas", 1)
    assert schedulers == {"beat": 1}


def test_presigned_urls_name_a_public_endpoint(compose):
    env = compose["x-ortak-env"]
    assert env["ORTAK_STORAGE"] == "s3" and env["ORTAK_S3_PUBLIC_ENDPOINT"]
    assert "minio" not in env["ORTAK_S3_PUBLIC_ENDPOINT"]


def test_every_ortak_variable_is_a_setting():
    names = set(re.findall(r"\bORTAK_([A-Z0-9_]+)", COMPOSE.read_text()))
    assert names, "no ORTAK_* variable found"
    unknown = sorted(n for n in names if n not in DEFAULTS and n != "CONFIG")
    assert unknown == [], f"not in archive.config.DEFAULTS: {unknown}"
