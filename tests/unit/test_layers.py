"""The layering of ARCHITECTURE.md is a checked contract: `lint-imports` over pyproject's contracts."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def lint():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    return subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_import_contracts_are_kept(lint):
    assert lint.returncode == 0, lint.stdout[-4000:] + lint.stderr[-2000:]
    assert "0 broken" in lint.stdout


def test_the_workers_contracts_are_checked(lint):
    """The rules of the task layer are among the contracts lint-imports checks."""
    text = " ".join(lint.stdout.split())  # lint-imports wraps long names
    assert "workers only call the archive, through its task handles and entry points" in text
    assert "the archive never imports workers" in text
