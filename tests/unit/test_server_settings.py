"""The gunicorn settings `ortak serve` runs with, as data."""
from __future__ import annotations

import os

from archive.config import load_config
from archive.server import CONTROL_SOCKET, MAX_UNIX_SOCKET_PATH, gunicorn_settings


def _settings(tmp_path, **env):
    return gunicorn_settings(load_config(environ={"ORTAK_DATA_DIR": str(tmp_path), **env}))


def test_limits_agree_with_the_documented_maxima(tmp_path):
    s = _settings(tmp_path)
    assert (s["limit_request_line"], s["limit_request_fields"], s["limit_request_field_size"]) == (8190, 100, 65536)
    assert _settings(tmp_path, ORTAK_MAX_HEADER_BYTES="131072")["limit_request_field_size"] == 131072
    assert s["worker_class"] == "archive.server.JsonErrorWorker" and s["timeout"] == 0


def test_logs_follow_log_format(tmp_path):
    assert _settings(tmp_path)["logger_class"] == "archive.server.JsonLogger"
    assert "logger_class" not in _settings(tmp_path, ORTAK_LOG_FORMAT="text")
    assert _settings(tmp_path)["accesslog"] == "-"


def test_the_control_socket_lives_in_the_data_directory(tmp_path):
    s = _settings(tmp_path)
    assert s["control_socket"] == os.path.join(str(tmp_path), CONTROL_SOCKET)
    assert "control_socket_disable" not in s


def test_a_data_directory_too_deep_for_a_socket_disables_it(tmp_path):
    deep = tmp_path / ("d" * (MAX_UNIX_SOCKET_PATH - len(str(tmp_path))))
    s = _settings(deep)
    assert s["control_socket_disable"] is True and "control_socket" not in s


def test_bind_comes_from_host_and_port(tmp_path):
    assert _settings(tmp_path, ORTAK_HOST="0.0.0.0", ORTAK_PORT="9001")["bind"] == ["0.0.0.0:9001"]
