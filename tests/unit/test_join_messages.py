"""`archive.errors.join_messages` and `clause`: messages that are sentences, joined into one."""
from __future__ import annotations

import pytest

from archive.access.declarations import clean_declaration
from archive.errors import ValidationError, clause, join_messages


@pytest.mark.parametrize("parts,joined", [
    (["row 2: written YYYY-MM-DD.", "row 3: too long."], "row 2: written YYYY-MM-DD; row 3: too long."),
    (["row 2: no period", "row 3: none either"], "row 2: no period; row 3: none either."),
    (["Is it?", "more…", "", "  end.  "], "Is it?; more…; end."),
    (["wait..."], "wait..."),
    ([], ""),
])
def test_join_messages(parts, joined):
    assert join_messages(parts) == joined


def test_clause_drops_only_the_final_period():
    assert clause("written YYYY-MM-DD.") == "written YYYY-MM-DD" and clause("v1.2 is out") == "v1.2 is out"


def test_a_declaration_with_several_errors_says_them_as_one_sentence():
    with pytest.raises(ValidationError) as exc:
        clean_declaration({"platform": "tv", "territory": "XX", "from": "2027-13-01"})
    assert ".;" not in exc.value.message and exc.value.message.endswith("."), exc.value.message
