"""Every `ortak` command fails with one line naming the cause and the fix, exit status 2.

Through click's runner for the commands that run in-process, and as real processes for
`serve`, `worker` and `beat` (and once to see exactly what a person sees on stderr).
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from archive.cli_errors import OrtakGroup
from archive.migrate import upgrade
from tests.conftest import PG_URL

PASSWORD = "s3cret-Parola"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once it is closed


@pytest.fixture
def empty_database_url(tmp_path):
    """A database that exists but has no schema."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"ortak_empty_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _one_line_error(result, *needles):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.output
    for needle in needles:
        assert needle in errors[0], errors[0]
    return errors[0]


def _commands(tmp_path):
    media = tmp_path / "clip.mp4"
    media.write_bytes(b"\0" * 64)
    return [
        (("org", "create", "TRT", "--country", "TR"), None),
        (("user", "create", "a@example.org", "--org", "TRT", "--role", "producer", "--password-stdin"),
         "çok gizli parola\n"),
        (("token", "create", "a@example.org"), None),
        (("import", str(media), "--as", "a@example.org"), None),
        (("reindex",), None),
        (("sweep",), None),
        (("audit", "verify"), None),
    ]


def test_every_command_on_a_database_without_schema(ortak_cli, monkeypatch, empty_database_url, tmp_path):
    monkeypatch.setenv("ORTAK_DATABASE_URL", empty_database_url)
    for args, stdin in _commands(tmp_path):
        line = _one_line_error(ortak_cli(*args, input=stdin), "run `ortak db upgrade`", "has no Ortak schema")
        assert args and line


def test_a_database_behind_the_code_names_both_revisions(ortak_cli, monkeypatch, empty_database_url):
    upgrade(empty_database_url, "0001")
    monkeypatch.setenv("ORTAK_DATABASE_URL", empty_database_url)
    # `sweep` reads assets.error_code, which 0002 adds.
    _one_line_error(ortak_cli("sweep"), "at schema revision 0001, this version needs", "run `ortak db upgrade`")


@pytest.mark.parametrize("args", [("org", "create", "TRT", "--country", "TR"), ("sweep",), ("audit", "verify")])
def test_an_unreachable_database_is_named_without_its_password(ortak_cli, monkeypatch, args):
    port = closed_port()
    monkeypatch.setenv("ORTAK_DATABASE_URL", f"postgresql+psycopg://ortak:{PASSWORD}@127.0.0.1:{port}/ortak")
    line = _one_line_error(ortak_cli(*args), f"postgresql+psycopg://ortak:***@127.0.0.1:{port}/ortak",
                           "Connection refused", "ORTAK_DATABASE_URL")
    assert PASSWORD not in line


def test_an_unopenable_sqlite_file(ortak_cli, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ORTAK_DATABASE_URL", f"sqlite:///{blocker}/ortak.db")
    _one_line_error(ortak_cli("org", "create", "TRT", "--country", "TR"), "unable to open database file")


@pytest.mark.parametrize("env, needle", [
    ({"ORTAK_STORAGE": "ftp"}, "ORTAK_STORAGE: must be 'local' or 's3'"),
    ({"ORTAK_STORAGE": "s3"}, "ORTAK_S3_ENDPOINT: required"),
    ({"ORTAK_SEARCH": "elasticsearch"}, "ORTAK_ES_URL: required"),
    ({"ORTAK_BROKER_URL": "foo://broker"}, "ORTAK_BROKER_URL: no broker transport 'foo'"),
    ({"ORTAK_PORT": "eighty"}, "ORTAK_PORT: cannot read"),
    ({"ORTAK_STORAGE": "s3", "ORTAK_S3_ENDPOINT": "127.0.0.1:9", "ORTAK_S3_ACCESS_KEY": "a",
      "ORTAK_S3_SECRET_KEY": "b", "ORTAK_S3_PUBLIC_ENDPOINT": "ftp://media"}, "S3_PUBLIC_ENDPOINT must be"),
])
def test_misconfiguration_names_the_setting(ortak_cli, monkeypatch, env, needle):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for args in (("org", "create", "TRT", "--country", "TR"), ("reindex",)):
        _one_line_error(ortak_cli(*args), needle)


def test_unusable_storage_and_search_folders(ortak_cli, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ORTAK_STORAGE_DIR", str(blocker / "blobs"))
    _one_line_error(ortak_cli("reindex"), "blob storage (local)", "ORTAK_STORAGE_DIR")
    monkeypatch.delenv("ORTAK_STORAGE_DIR")
    monkeypatch.setenv("ORTAK_SEARCH_DIR", str(blocker / "search"))
    _one_line_error(ortak_cli("reindex"), "ORTAK_SEARCH_DIR")


def test_an_unreachable_search_engine(ortak_cli, monkeypatch):
    monkeypatch.setenv("ORTAK_SEARCH", "elasticsearch")
    monkeypatch.setenv("ORTAK_ES_URL", f"http://127.0.0.1:{closed_port()}")
    _one_line_error(ortak_cli("reindex"), "search (elasticsearch)", "Connection refused", "ORTAK_ES_URL")


def test_a_command_added_later_gets_the_same_treatment():
    """The mechanism is the group's: any command of an OrtakGroup, nested at any depth."""
    from kombu.exceptions import OperationalError as BrokerError

    from archive.config import ConfigError
    from archive.storage.interfaces import StorageError
    from search.interfaces import SearchError

    @click.group(cls=OrtakGroup)
    def cli():
        pass

    @cli.group()
    def things():
        pass

    failures = {
        "config": ConfigError("ORTAK_THING: must be shiny"),
        "storage": StorageError("disk on fire"),
        "search": SearchError("index gone"),
        "broker": BrokerError("Connection refused"),
        "wrapped": RuntimeError("outer"),
    }
    failures["wrapped"].__cause__ = StorageError("inner disk on fire")
    for name, exc in failures.items():
        things.command(name)(lambda exc=exc: (_ for _ in ()).throw(exc))

    runner = CliRunner()
    expected = {"config": "ORTAK_THING: must be shiny", "storage": "disk on fire", "search": "index gone",
                "broker": "Connection refused", "wrapped": "inner disk on fire"}
    for name, needle in expected.items():
        _one_line_error(runner.invoke(cli, ["things", name]), needle)

    @things.command("bug")
    def bug():
        raise KeyError("a fault in Ortak keeps its traceback")

    result = runner.invoke(cli, ["things", "bug"])
    assert result.exit_code == 1 and isinstance(result.exception, KeyError)


# ---- as real processes: what a person sees ----

def _run(args, env, timeout=90):
    return subprocess.run([sys.executable, "-m", "archive.cli", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture
def user_env(app_config):
    return {"ORTAK_DATA_DIR": app_config["DATA_DIR"], "ORTAK_DATABASE_URL": app_config["DATABASE_URL"]}


def test_what_a_person_sees_is_one_line(user_env, empty_database_url):
    result = _run(["org", "create", "TRT", "--country", "TR"], {**user_env, "ORTAK_DATABASE_URL": empty_database_url})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()], result.stderr
    assert result.stderr.startswith("error: the database at ") and "run `ortak db upgrade`" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["worker"], ["beat"]])
def test_long_running_processes_refuse_a_database_without_schema(user_env, empty_database_url, command):
    result = _run(command, {**user_env, "ORTAK_DATABASE_URL": empty_database_url})
    assert result.returncode == 2, result.stderr
    assert "run `ortak db upgrade`" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["worker"], ["beat"]])
def test_an_unreachable_broker_is_named_without_its_password(user_env, command):
    url = f"redis://:{PASSWORD}@127.0.0.1:{closed_port()}/0"
    # One retry, not the default three (1 + 2 + 3 s of waiting): the same refusal, 5 s sooner.
    result = _run(command, {**user_env, "ORTAK_BROKER_URL": url, "ORTAK_BROKER_CONNECT_RETRIES": "1"})
    assert result.returncode == 2, result.stderr
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: the task broker at redis://:**@127.0.0.1:") and "ORTAK_BROKER_URL" in line
    assert PASSWORD not in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_several_workers_counting_failed_logins_apart(ortak_cli, monkeypatch):
    """Throttle counters in memory are per process: two workers would allow twice the limit."""
    ortak_cli("db", "upgrade")
    result = ortak_cli("serve", "--workers", "2")
    assert result.exit_code == 2
    assert "ORTAK_RATELIMIT_STORAGE_URL" in result.output and result.output.count("\n") == 1


@pytest.mark.parametrize("args", [("org", "list"), ("audit", "verify"), ("token", "create", "x@example.org"),
                                  ("user", "list"), ("steps", "show", "x"), ("reindex",)])
def test_a_command_on_a_fresh_data_folder_writes_nothing_and_says_to_migrate(ortak_cli, monkeypatch, tmp_path, args):
    data = tmp_path / "fresh"
    data.mkdir()
    monkeypatch.setenv("ORTAK_DATA_DIR", str(data))
    monkeypatch.delenv("ORTAK_DATABASE_URL")
    _one_line_error(ortak_cli(*args), "run `ortak db upgrade`")
    assert list(data.iterdir()) == []


def test_every_command_refuses_an_old_schema(ortak_cli, app_config):
    from archive.migrate import upgrade

    url = app_config["DATABASE_URL"]
    if not url.startswith("sqlite"):
        pytest.skip("the old-schema database is made on SQLite")
    from pathlib import Path
    Path(url[len("sqlite:///"):]).unlink()
    upgrade(url, "0002")
    _one_line_error(ortak_cli("org", "create", "TRT", "--country", "TR"), "this version needs")
