import pytest


@pytest.fixture
def add_asset(register_file):
    return register_file
