"""tests/e2e/conftest.py's `until`, against a real Chromium page (no server needed): a check
made while the page navigates counts as false; any other error of the expression is raised at
once, not waited out as "still false"."""
from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import until


class _Counting:
    """The page, counting the waits `until` makes between its checks."""

    def __init__(self, page):
        self.page = page
        self.waited = 0

    def evaluate(self, expression):
        return self.page.evaluate(expression)

    def wait_for_timeout(self, ms):
        self.waited += 1
        self.page.wait_for_timeout(ms)


# The first check reloads the page and never answers (Playwright: "Execution context was
# destroyed, most likely because of a navigation"); window.name outlives the reload, so the
# check after it answers.
NAVIGATES_FIRST = ("window.name === 'reloaded' ? 'hls.js'"
                   " : (window.name = 'reloaded', location.reload(), new Promise(() => {}))")


def test_a_check_made_while_the_page_navigates_counts_as_false(page):
    page.set_content("<p>player</p>")
    counting = _Counting(page)
    assert until(counting, NAVIGATES_FIRST, timeout_s=10) == "hls.js"
    assert counting.waited == 1


def test_an_error_of_the_expression_is_raised_at_once_even_when_it_names_the_navigator(page):
    page.set_content("<p>player</p>")
    counting = _Counting(page)
    with pytest.raises(PlaywrightError, match="navigatr is not defined"):
        until(counting, "navigatr.onLine", timeout_s=0.5)
    assert counting.waited == 0
