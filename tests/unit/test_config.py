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
    ({"ORTAK_CONFIG": "/nonexistent/ortak.toml"}, "ORTAK_CONFIG"),
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
