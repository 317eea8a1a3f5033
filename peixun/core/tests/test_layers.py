"""The layer contract (docs/development.md, "Layers") catches what it promises to catch.

Each test copies the application package to a temporary folder, plants one offending import
and runs import-linter there with the project's own contracts, so the real tree is never
touched.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
IGNORED = shutil.ignore_patterns("templates", "static", "locale", "__pycache__")


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
            str(tree / "pyproject.toml"),
            "--no-cache",
        ],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def copy_of_the_house(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "peixun", tmp_path / "peixun", ignore=IGNORED)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def plant(path: Path, code: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n\n" + code + "\n", encoding="utf-8")


def test_the_house_keeps_its_contracts(tmp_path: Path) -> None:
    done = lint_imports(copy_of_the_house(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 2 kept, 0 broken." in done.stdout


def test_an_upward_import_inside_a_function_breaks_the_build(tmp_path: Path) -> None:
    tree = copy_of_the_house(tmp_path)
    plant(
        tree / "peixun" / "hours" / "logic.py",
        "def _probe() -> None:\n    from peixun.exams.models import Exam  # noqa\n",
    )
    done = lint_imports(tree)
    assert done.returncode != 0
    assert "peixun.hours is not allowed to import peixun.exams" in done.stdout
    assert "peixun.hours.logic -> peixun.exams.models" in done.stdout


def test_a_cycle_inside_an_app_breaks_the_build(tmp_path: Path) -> None:
    tree = copy_of_the_house(tmp_path)
    plant(tree / "peixun" / "exams" / "documents.py", "from peixun.exams import services  # noqa")
    done = lint_imports(tree)
    assert done.returncode != 0
    assert "No cycles are allowed in peixun.exams" in done.stdout
