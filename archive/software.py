"""What the service calls itself in the files it writes (BagIt `Bag-Software-Agent`, the C2PA
claim generator, the PREMIS software agent): the project's name and its installed version,
from the package metadata (pyproject.toml `version`). No address: the project names none."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

NAME = "Ortak"

try:
    VERSION = version("ortak")
except PackageNotFoundError:  # run from a source tree that was never installed
    VERSION = "unknown"

AGENT = f"{NAME} {VERSION}"
