"""The web fixtures (a browser user, a logged-in test client) for the account tests too."""
from tests.unit.web.conftest import logged_in, web_user  # noqa: F401  (fixtures)
