"""Settings fail loudly: typed environment readers, and production refusing the published keys."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from peixun.env import (
    DEVELOPMENT_SECRET_KEY,
    env_bool,
    env_int,
    env_list,
    env_secret,
    env_str,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("X", "X_FILE"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_bool_reads_the_usual_spellings_and_refuses_others(environ: pytest.MonkeyPatch) -> None:
    assert env_bool("X", True) is True
    for raw, expected in (("1", True), ("yes", True), ("ON", True), ("0", False), ("false", False)):
        environ.setenv("X", raw)
        assert env_bool("X", not expected) is expected
    environ.setenv("X", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X='maybe'"):
        env_bool("X", False)


def test_int_refuses_words_and_values_out_of_range(environ: pytest.MonkeyPatch) -> None:
    assert env_int("X", 25) == 25
    environ.setenv("X", " 587 ")
    assert env_int("X", 25, minimum=1, maximum=65535) == 587
    environ.setenv("X", "twenty")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("X", 25)
    environ.setenv("X", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X", 25, minimum=1)
    environ.setenv("X", "70000")
    with pytest.raises(ImproperlyConfigured, match="at most 65535"):
        env_int("X", 25, maximum=65535)


def test_list_splits_on_commas(environ: pytest.MonkeyPatch) -> None:
    assert env_list("X", ["a"]) == ["a"]
    environ.setenv("X", "a.example, ,b.example,")
    assert env_list("X", []) == ["a.example", "b.example"]


def test_file_variant_reads_the_file_and_refuses_both(
    environ: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    secret = tmp_path / "key"
    secret.write_text("k" * 60 + "\n", encoding="utf-8")
    environ.setenv("X_FILE", str(secret))
    assert env_secret("X", required=True, min_length=50) == "k" * 60
    assert env_str("X", "") == "k" * 60
    environ.setenv("X", "also")
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env_str("X", "")
    environ.delenv("X")
    environ.setenv("X_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="cannot read"):
        env_str("X", "")


def test_secret_required_refuses_missing_short_and_default(environ: pytest.MonkeyPatch) -> None:
    assert env_secret("X", required=False, min_length=50, dev_default="dev") == "dev"
    with pytest.raises(ImproperlyConfigured, match="must be set"):
        env_secret("X", required=True, min_length=50)
    environ.setenv("X", "short")
    with pytest.raises(ImproperlyConfigured, match="50 or more"):
        env_secret("X", required=True, min_length=50)
    environ.setenv("X", DEVELOPMENT_SECRET_KEY)
    with pytest.raises(ImproperlyConfigured, match="development default"):
        env_secret("X", required=True, min_length=10, dev_default=DEVELOPMENT_SECRET_KEY)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PEIXUN_")}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


SECRET = "s" * 30 + "0123456789abcdefghijklmnopqrst"
FIELD_KEY = "f" * 40


def test_production_refuses_to_start_without_keys_of_its_own() -> None:
    missing = _manage("check", PEIXUN_DEBUG="0")
    assert missing.returncode != 0
    assert "PEIXUN_SECRET_KEY (or PEIXUN_SECRET_KEY_FILE) must be set" in missing.stderr
    no_field_key = _manage("check", PEIXUN_DEBUG="0", PEIXUN_SECRET_KEY=SECRET)
    assert no_field_key.returncode != 0
    assert "PEIXUN_FIELD_KEY (or PEIXUN_FIELD_KEY_FILE) must be set" in no_field_key.stderr
    same = _manage("check", PEIXUN_DEBUG="0", PEIXUN_SECRET_KEY=SECRET, PEIXUN_FIELD_KEY=SECRET)
    assert same.returncode != 0
    assert "must differ" in same.stderr
    bad_int = _manage(
        "check",
        PEIXUN_DEBUG="0",
        PEIXUN_SECRET_KEY=SECRET,
        PEIXUN_FIELD_KEY=FIELD_KEY,
        PEIXUN_EMAIL_PORT="smtp",
    )
    assert bad_int.returncode != 0
    assert "PEIXUN_EMAIL_PORT='smtp'" in bad_int.stderr
    good = _manage("check", PEIXUN_DEBUG="0", PEIXUN_SECRET_KEY=SECRET, PEIXUN_FIELD_KEY=FIELD_KEY)
    assert good.returncode == 0, good.stderr


def test_check_deploy_fails_on_the_defaults() -> None:
    defaults = _manage("check", "--deploy")
    assert defaults.returncode != 0
    assert "peixun.E001" in defaults.stderr
    assert "peixun.E002" in defaults.stderr
    # The demo itself still runs with no configuration at all.
    assert _manage("check").returncode == 0
