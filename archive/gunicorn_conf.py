"""gunicorn config module (`gunicorn -c python:archive.gunicorn_conf`), used by `ortak serve`.

gunicorn reads this once at start-up, like archive.wsgi; the values are
`archive.server.gunicorn_settings` of the Ortak config (defaults → file → ORTAK_*).
Options on gunicorn's command line (`ortak serve` passes --bind and --workers) win.
"""
from archive.config import load_config
from archive.server import gunicorn_settings

globals().update(gunicorn_settings(load_config()))
