"""mypy, and a ratchet towards `mypy --strict`: `make lint` runs this instead of bare mypy.

1. mypy as pyproject.toml configures it (untyped defs and bare generics already refused) must
   pass outright.
2. The errors that `--strict` adds on top are allowed up to the count that
   scripts/mypy-baseline.json records for each file. A file over its count fails; a file under
   it fails too, asking for `--update`, so the baseline only ever shrinks.

    python scripts/mypy_ratchet.py            # check
    python scripts/mypy_ratchet.py --update   # record the lower counts after fixing some
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scripts" / "mypy-baseline.json"
TARGETS = ["peixun", "bench", "browser_tests", "scripts"]
ERROR = re.compile(r"^(?P<path>[^:]+):\d+: error: ")


def mypy(*flags: str) -> tuple[int, list[str]]:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", *flags, *TARGETS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in done.stdout.splitlines() if ERROR.match(line)]
    if done.returncode not in (0, 1) or (done.returncode == 1 and not errors):
        sys.stdout.write(done.stdout + done.stderr)
        raise SystemExit(2)
    return done.returncode, errors


def main() -> int:
    _, plain = mypy()
    if plain:
        print("\n".join(plain))
        print(f"mypy: {len(plain)} errors")
        return 1
    _, strict = mypy("--strict")
    counts: Counter[str] = Counter()
    for line in strict:
        match = ERROR.match(line)
        assert match is not None
        counts[match["path"]] += 1
    total = sum(counts.values())
    if "--update" in sys.argv:
        old: dict[str, int] = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
        grown = sorted(f for f, n in counts.items() if n > old.get(f, 0))
        if grown and old and "--allow-growth" not in sys.argv:
            print(f"refusing to raise the baseline for {grown}; fix those instead")
            return 1
        BASELINE.write_text(json.dumps(dict(sorted(counts.items())), indent=1) + "\n")
        print(f"baseline: {total} --strict errors in {len(counts)} files")
        return 0
    baseline: dict[str, int] = json.loads(BASELINE.read_text())
    over = [(p, n, baseline.get(p, 0)) for p, n in sorted(counts.items()) if n > baseline.get(p, 0)]
    for path, count, allowed in over:
        print(f"{path}: {count} --strict errors, baseline {allowed}:")
        print("\n".join(f"  {line}" for line in strict if line.startswith(f"{path}:")))
    shrunk = sorted(p for p, n in baseline.items() if counts.get(p, 0) < n)
    if shrunk:
        print(f"fewer --strict errors than the baseline in {len(shrunk)} files: run")
        print("  python scripts/mypy_ratchet.py --update   (and commit scripts/mypy-baseline.json)")
    print(f"mypy: clean; towards --strict: {total} errors left (baseline {sum(baseline.values())})")
    return 1 if over or shrunk else 0


if __name__ == "__main__":
    raise SystemExit(main())
