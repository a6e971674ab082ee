"""tests/e2e/conftest.py's `until`, against a page that plays back what a browser answers (no
browser needed): a check made while the page navigates counts as false; any other error of the
expression is raised at once, not waited out as "still false"."""
from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import until


class _Page:
    def __init__(self, answers):
        self.answers = list(answers)
        self.waited = 0

    def evaluate(self, expression):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def wait_for_timeout(self, ms):
        self.waited += 1


def test_a_check_made_while_the_page_navigates_counts_as_false():
    page = _Page([PlaywrightError("Execution context was destroyed, most likely because of a navigation"),
                  None, "hls.js"])
    assert until(page, "document.getElementById('player-tool').dataset.engine") == "hls.js"
    assert page.waited == 2


def test_an_error_of_the_expression_is_raised_at_once_even_when_it_names_the_navigator():
    page = _Page([PlaywrightError("ReferenceError: navigatr is not defined")] + [None] * 1000)
    with pytest.raises(PlaywrightError, match="navigatr is not defined"):
        until(page, "navigatr.onLine", timeout_s=0.5)
    assert page.waited == 0
