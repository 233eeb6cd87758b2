import pytest


@pytest.fixture(autouse=True)
def _no_ratings_source(settings):
    """The reports' tests state their own ratings (``MOTCUA_RATINGS_SOURCE`` set where a test needs
    one); the installation default reads the feedback app's ratings."""
    settings.MOTCUA_RATINGS_SOURCE = ""
