"""Copy the screenshots the guides show from test-artifacts/ (made by `make test`'s browser
journeys) into docs/guide/img/, and point the guides at the copies, so the guides read on
GitHub and offline. Run after `make test`: `python scripts/guide_images.py`."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
IMAGES = ROOT / "docs" / "guide" / "img"
REFERENCE = re.compile(r"\]\((?:\.\./)*(?:test-artifacts|img|guide/img)/([\w.-]+\.png)\)")


def main() -> int:
    IMAGES.mkdir(parents=True, exist_ok=True)
    missing: list[str] = []
    wanted: set[str] = set()
    for doc in sorted((ROOT / "docs").rglob("*.md")):
        text = doc.read_text(encoding="utf-8")
        prefix = "img/" if doc.parent == IMAGES.parent else "guide/img/"

        def relink(match: re.Match[str], prefix: str = prefix) -> str:
            wanted.add(match.group(1))
            return f"]({prefix}{match.group(1)})"

        new = REFERENCE.sub(relink, text)
        if new != text:
            doc.write_text(new, encoding="utf-8")
    for name in sorted(wanted):
        source = ARTIFACTS / name
        if source.exists():
            shutil.copyfile(source, IMAGES / name)
        elif not (IMAGES / name).exists():
            missing.append(name)
    for stale in IMAGES.glob("*.png"):
        if stale.name not in wanted:
            stale.unlink()
    print(f"{len(wanted)} screenshots in docs/guide/img/")
    if missing:
        print("not made by any browser test:", ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
