import pytest


@pytest.fixture(autouse=True)
def _fast_and_isolated_media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
