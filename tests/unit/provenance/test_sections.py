"""The provenance document's sections are registered by plain imports that import-linter sees
(no module loaded by a name in a string), and the C2PA section is there as soon as the lineage
module is imported."""
import ast
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("archive", "search", cache_dir=None)


@pytest.mark.parametrize("importer, imported", [
    ("archive.provenance.lineage", "archive.provenance.c2pa"),
    ("archive.provenance.c2pa", "archive.provenance.sections"),
    ("archive.storage", "archive.storage.s3"),
    ("archive.storage", "archive.storage.local"),
    ("search", "search.tantivy_backend"),
    ("search", "search.elasticsearch_backend"),
])
def test_the_import_graph_that_lint_imports_checks_has_the_edge(graph, importer, imported):
    assert graph.direct_import_exists(importer=importer, imported=imported)


def test_no_module_is_imported_by_a_name_in_a_string():
    offenders = []
    for path in [*ROOT.joinpath("archive").rglob("*.py"), *ROOT.joinpath("search").rglob("*.py"),
                 *ROOT.joinpath("workers").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Attribute) and node.attr == "import_module":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "__import__":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_importing_the_lineage_module_alone_registers_the_credentials_section():
    code = ("from archive.provenance import lineage, sections; "
            "print(sorted(sections.SECTIONS)); assert lineage.SECTIONS is sections.SECTIONS")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "'content_credentials'" in out.stdout and "'sources'" in out.stdout
