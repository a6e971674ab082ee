import pytest

from archive.config import ConfigError, load_config


def test_defaults_are_embedded(tmp_path):
    cfg = load_config({"DATA_DIR": str(tmp_path)}, environ={})
    assert cfg["DATABASE_URL"] == f"sqlite:///{tmp_path / 'ortak.db'}"
    assert cfg["STORAGE"] == "local" and cfg["STORAGE_DIR"] == str(tmp_path / "blobs")
    assert cfg["SEARCH"] == "tantivy" and cfg["BROKER_URL"] == "filesystem://"


def test_environment_overrides_file_and_defaults(tmp_path):
    conf = tmp_path / "ortak.toml"
    conf.write_text('port = 9000\nmax_upload_size = 1000\n')
    cfg = load_config(environ={"ORTAK_CONFIG": str(conf), "ORTAK_PORT": "9100", "ORTAK_DATA_DIR": str(tmp_path)})
    assert cfg["PORT"] == 9100
    assert cfg["MAX_UPLOAD_SIZE"] == 1000


def test_overrides_win(tmp_path):
    cfg = load_config({"PORT": 1234, "DATA_DIR": str(tmp_path)}, environ={"ORTAK_PORT": "9100"})
    assert cfg["PORT"] == 1234


@pytest.mark.parametrize("env, setting", [
    ({"ORTAK_STORAGE": "ftp"}, "ORTAK_STORAGE"),
    ({"ORTAK_STORAGE": "s3"}, "ORTAK_S3_ENDPOINT"),
    ({"ORTAK_SEARCH": "elasticsearch"}, "ORTAK_ES_URL"),
    ({"ORTAK_PORT": "eighty"}, "ORTAK_PORT"),
    ({"ORTAK_S3_SECURE": "perhaps"}, "ORTAK_S3_SECURE"),
    ({"ORTAK_MAX_UPLOAD_SIZE": "0"}, "ORTAK_MAX_UPLOAD_SIZE"),
    ({"ORTAK_MAX_HEADER_BYTES": "0"}, "ORTAK_MAX_HEADER_BYTES"),
    ({"ORTAK_STUCK_AFTER": "-5"}, "ORTAK_STUCK_AFTER"),
    ({"ORTAK_RESEND_QUEUED_AFTER": "0"}, "ORTAK_RESEND_QUEUED_AFTER"),
    ({"ORTAK_SCRATCH_MAX_AGE": "0"}, "ORTAK_SCRATCH_MAX_AGE"),
    ({"ORTAK_MAX_ATTEMPTS": "-1"}, "ORTAK_MAX_ATTEMPTS"),
    ({"ORTAK_MAX_ATTEMPTS": "three"}, "ORTAK_MAX_ATTEMPTS"),
    ({"ORTAK_BROKER_CONNECT_RETRIES": "-1"}, "ORTAK_BROKER_CONNECT_RETRIES"),
    ({"ORTAK_CONFIG": "/nonexistent/ortak.toml"}, "ORTAK_CONFIG"),
    ({"ORTAK_ACCEL_REDIRECT_PREFIX": "_blobs/"}, "ORTAK_ACCEL_REDIRECT_PREFIX"),
    ({"ORTAK_ACCEL_REDIRECT_PREFIX": "/_blobs"}, "ORTAK_ACCEL_REDIRECT_PREFIX"),
    ({"ORTAK_ACCEL_REDIRECT_PREFIX": "/../etc/"}, "ORTAK_ACCEL_REDIRECT_PREFIX"),
    ({"ORTAK_ACCEL_REDIRECT_PREFIX": "/a b/"}, "ORTAK_ACCEL_REDIRECT_PREFIX"),
    ({"ORTAK_ACCEL_REDIRECT_PREFIX": "/x/\r\nSet-Cookie: a=b/"}, "ORTAK_ACCEL_REDIRECT_PREFIX"),
])
def test_misconfiguration_names_the_setting(env, setting, tmp_path):
    with pytest.raises(ConfigError, match=setting):
        load_config(environ={"ORTAK_DATA_DIR": str(tmp_path), **env})


def test_create_app_fails_at_start_naming_the_setting(tmp_path):
    from archive import create_app

    with pytest.raises(ConfigError, match="ORTAK_S3_ACCESS_KEY"):
        create_app({"DATA_DIR": str(tmp_path), "STORAGE": "s3", "S3_ENDPOINT": "127.0.0.1:1"})


@pytest.mark.parametrize("env, setting", [
    ({"ORTAK_TRUSTED_PROXIES": "-1"}, "ORTAK_TRUSTED_PROXIES"),
    ({"ORTAK_TRUSTED_PROXIES": "two"}, "ORTAK_TRUSTED_PROXIES"),
    ({"ORTAK_LOGIN_FAILURE_WINDOW": "0"}, "ORTAK_LOGIN_FAILURE_WINDOW"),
    ({"ORTAK_LOGIN_FAILURES_PER_ACCOUNT": "0"}, "ORTAK_LOGIN_FAILURES_PER_ACCOUNT"),
    ({"ORTAK_TOKEN_FAILURES_PER_ADDRESS": "-5"}, "ORTAK_TOKEN_FAILURES_PER_ADDRESS"),
    ({"ORTAK_RATELIMIT_STORAGE_URL": "ftp://example.org"}, "ORTAK_RATELIMIT_STORAGE_URL"),
    ({"ORTAK_RATELIMIT_STORAGE_URL": "redis"}, "ORTAK_RATELIMIT_STORAGE_URL"),
    ({"ORTAK_PASSWORD_HASH_MEMORY_COST": "16", "ORTAK_PASSWORD_HASH_PARALLELISM": "4"},
     "ORTAK_PASSWORD_HASH_MEMORY_COST"),
    ({"ORTAK_PASSWORD_HASH_TIME_COST": "0"}, "ORTAK_PASSWORD_HASH_TIME_COST"),
])
def test_security_settings_are_checked(env, setting, tmp_path):
    with pytest.raises(ConfigError, match=setting):
        load_config(environ={"ORTAK_DATA_DIR": str(tmp_path), **env})


@pytest.mark.parametrize("env, storage", [
    ({}, "memory://"),
    ({"ORTAK_BROKER_URL": "amqp://guest@localhost//"}, "memory://"),
    ({"ORTAK_BROKER_URL": "redis://127.0.0.1:6379/2"}, "redis://127.0.0.1:6379/2"),
    ({"ORTAK_BROKER_URL": "redis://127.0.0.1:6379/2", "ORTAK_RATELIMIT_STORAGE_URL": "memory://"}, "memory://"),
    ({"ORTAK_RATELIMIT_STORAGE_URL": "redis://cache:6379/5"}, "redis://cache:6379/5"),
])
def test_throttle_counters_go_to_redis_when_there_is_one(env, storage, tmp_path):
    assert load_config(environ={"ORTAK_DATA_DIR": str(tmp_path), **env})["RATELIMIT_STORAGE_URL"] == storage


# ---- every setting: typed, defaulted, documented, and the only ones the code reads ----------

def _readme_settings() -> set[str]:
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    names: set[str] = set()
    for row in re.findall(r"^\| (`ORTAK_[^|]*)\|", readme, flags=re.M):
        first = None
        for token in re.findall(r"`(ORTAK_[A-Z0-9_]+|_[A-Z0-9_]+)`", row):
            if token.startswith("ORTAK_"):
                first = token[len("ORTAK_"):]
                names.add(first)
            elif first:  # `ORTAK_PASSWORD_HASH_TIME_COST`, `_MEMORY_COST`: the same prefix
                names.add(first.rsplit("_", 2)[0] + token)
    return names


def test_every_setting_has_a_readme_row_and_every_row_a_setting():
    from archive.config import DEFAULTS

    documented = _readme_settings() - {"CONFIG"}  # ORTAK_CONFIG names the file, not a setting
    assert sorted(set(DEFAULTS) - documented) == [], "settings without a README row"
    assert sorted(documented - set(DEFAULTS)) == [], "README rows of settings that do not exist"


def test_the_code_reads_only_settings_that_exist():
    import ast
    from pathlib import Path

    from archive.config import DEFAULTS

    flask_keys = {"MAX_CONTENT_LENGTH", "WTF_CSRF_CHECK_DEFAULT", "WTF_CSRF_TIME_LIMIT", "BABEL_DEFAULT_LOCALE",
                  "BABEL_TRANSLATION_DIRECTORIES", "RATELIMIT_KEY_PREFIX", "TESTING"}
    root = Path(__file__).resolve().parents[2]
    unknown = {}
    for path in [*root.joinpath("archive").rglob("*.py"), *root.joinpath("workers").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            name = None
            if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                    and isinstance(node.slice.value, str) and "config" in ast.unparse(node.value).lower():
                name = node.slice.value
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call) \
                    and ast.unparse(node.value.func) == "settings":
                name = node.attr
            if name and name.isupper() and name not in DEFAULTS and name not in flask_keys:
                unknown.setdefault(str(path.relative_to(root)), set()).add(name)
    assert unknown == {}


def test_settings_are_typed_and_a_wrong_type_names_the_setting(tmp_path):
    from archive.config import ConfigError, Settings, load_settings

    settings, extra = load_settings({"DATA_DIR": str(tmp_path), "MAX_ATTEMPTS": "7", "TESTING": True},
                                    environ={"ORTAK_S3_SECURE": "yes", "ORTAK_PORT": "9000"})
    assert isinstance(settings, Settings) and extra == {"TESTING": True}
    assert (settings.MAX_ATTEMPTS, settings.S3_SECURE, settings.PORT) == (7, True, 9000)
    for env in ({"ORTAK_PORT": "eighty"}, {"ORTAK_S3_SECURE": "perhaps"}, {"ORTAK_MAX_ATTEMPTS": "1.5"},
                {"ORTAK_PORT": "٣"}):
        with pytest.raises(ConfigError, match=next(iter(env))):
            load_settings({"DATA_DIR": str(tmp_path)}, environ=env)
    toml = tmp_path / "ortak.toml"
    toml.write_text('max_attempts = 4\nmax_atempts = 5\n')
    with pytest.raises(ConfigError, match="unknown settings .* MAX_ATEMPTS"):
        load_settings({"DATA_DIR": str(tmp_path)}, environ={"ORTAK_CONFIG": str(toml)})
    toml.write_text('max_attempts = "four"\n')
    with pytest.raises(ConfigError, match="MAX_ATTEMPTS"):
        load_settings({"DATA_DIR": str(tmp_path)}, environ={"ORTAK_CONFIG": str(toml)})


def test_the_app_keeps_its_settings_and_reads_no_environment_after_start(app, monkeypatch):
    from archive.config import settings

    with app.app_context():
        before = settings().MAX_UPLOAD_SIZE
        monkeypatch.setenv("ORTAK_MAX_UPLOAD_SIZE", "1")
        assert settings().MAX_UPLOAD_SIZE == before == app.config["MAX_UPLOAD_SIZE"]


@pytest.mark.parametrize("env, setting", [
    ({"ORTAK_LOG_LEVEL": "LOUD"}, "LOG_LEVEL"), ({"ORTAK_LOG_FORMAT": "xml"}, "LOG_FORMAT"),
    ({"ORTAK_PORT": "-5"}, "PORT"), ({"ORTAK_PORT": "99999"}, "PORT"), ({"ORTAK_PORT": "0"}, "PORT"),
    ({"ORTAK_READ_WINDOW_SECONDS": "-1"}, "READ_WINDOW_SECONDS"), ({"ORTAK_PRESIGN_SECONDS": "-10"}, "PRESIGN_SECONDS"),
    ({"ORTAK_SHARE_CONTINUATION_SECONDS": "0"}, "SHARE_CONTINUATION_SECONDS"),
    ({"ORTAK_SHARE_CONTINUATION_SECONDS": "soon"}, "SHARE_CONTINUATION_SECONDS"),
    ({"ORTAK_PROBE_TIMEOUT": "0"}, "PROBE_TIMEOUT"), ({"ORTAK_MAX_TITLE_LENGTH": "-1"}, "MAX_TITLE_LENGTH"),
    ({"ORTAK_MAX_TEXT_LENGTH": "0"}, "MAX_TEXT_LENGTH"), ({"ORTAK_UPLOAD_EXPIRE_SECONDS": "-1"}, "UPLOAD_EXPIRE_SECONDS"),
    ({"ORTAK_DATA_DIR": "{tmp}/a-file/data"}, "DATA_DIR"), ({"ORTAK_DATA_DIR": "{tmp}/a-file"}, "DATA_DIR"),
])
def test_a_value_out_of_its_range_names_the_setting(tmp_path, env, setting):
    from archive.config import ConfigError, load_settings

    (tmp_path / "a-file").write_text("not a directory")
    environ = {"ORTAK_DATA_DIR": str(tmp_path), **{k: v.format(tmp=tmp_path) for k, v in env.items()}}
    with pytest.raises(ConfigError, match=f"ORTAK_{setting}"):
        load_settings(environ=environ)


def test_a_data_folder_that_cannot_be_made_is_a_config_error_at_start(app_config):
    from archive import create_app
    from archive.config import ConfigError

    with pytest.raises(ConfigError, match="ORTAK_DATA_DIR"):
        create_app({**app_config, "DATA_DIR": "/proc/ortak-cannot-be-here", "SECRET_KEY": ""})


def test_log_level_in_any_case_and_unknown_variables_are_named(tmp_path):
    from archive.config import load_settings, unknown_variables

    settings, _ = load_settings(environ={"ORTAK_DATA_DIR": str(tmp_path), "ORTAK_LOG_LEVEL": "warning"})
    assert settings.LOG_LEVEL == "WARNING"
    assert unknown_variables({"ORTAK_FOO": "1", "ORTAK_PORT": "1", "ORTAK_CONFIG": "x",
                              "ORTAK_TEST_DATABASE_URL": "x", "HOME": "/"}) == ["ORTAK_FOO"]


def test_a_faiss_index_without_faiss_fails_at_start_naming_the_setting(tmp_path, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "faiss" else real(name, *a))
    with pytest.raises(ConfigError, match="ORTAK_FINGERPRINT_INDEX=faiss needs the faiss-cpu package"):
        load_config({"DATA_DIR": str(tmp_path), "FINGERPRINT_INDEX": "faiss"})
