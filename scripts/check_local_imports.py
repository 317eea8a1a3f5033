"""Function-level imports stay only where they are needed, each with its reason beside it.

An import inside a function hides a dependency from the reader (and from a quick grep); the
layer contract sees it all the same. This check fails on any such import in the application
code (tests excepted) that has no comment on its own line or the line just above saying why.
`AppConfig.ready()` is exempt: importing the modules that fill the registries there, once the
app registry is ready, is Django's documented idiom (docs/development.md, "Layers").
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def local_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[int] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name != "ready":
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    found.append(inner.lineno)
    return sorted(set(found))


def main() -> int:
    bad: list[str] = []
    total = 0
    for path in sorted((ROOT / "peixun").rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts):
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for lineno in local_imports(path):
            total += 1
            here, above = lines[lineno - 1], lines[lineno - 2] if lineno > 1 else ""
            if "#" not in here and not above.strip().startswith("#"):
                bad.append(f"{path.relative_to(ROOT)}:{lineno}: {here.strip()}")
    for line in bad:
        print(f"{line}   <- move it to the top, or say why it must stay in a comment")
    print(f"function-level imports: {total}, {len(bad)} without a reason")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
