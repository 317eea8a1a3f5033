"""mypy with a ratchet towards strict: `make lint` runs this instead of bare mypy.

pyproject.toml turns on `disallow_untyped_defs` and `disallow_any_generics`. The errors those
two add ([no-untyped-def], [type-arg]) are allowed up to the count that
scripts/mypy-baseline.json records for each file; any other error fails at once. A file over
its count fails; a file under it asks for `--update`, so the baseline only ever shrinks.

    python scripts/mypy_ratchet.py            # check
    python scripts/mypy_ratchet.py --update   # write the lower counts after fixing some
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
RATCHETED = {"no-untyped-def", "type-arg"}
ERROR = re.compile(r"^(?P<path>[^:]+):\d+: error: .*\[(?P<code>[a-z-]+)\]$")


def run_mypy() -> tuple[Counter[str], list[str]]:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", *TARGETS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    ratcheted: Counter[str] = Counter()
    other: list[str] = []
    for line in done.stdout.splitlines():
        match = ERROR.match(line)
        if match and match["code"] in RATCHETED:
            ratcheted[match["path"]] += 1
        elif ": error:" in line:
            other.append(line)
    if done.returncode not in (0, 1) or (done.returncode == 1 and not (ratcheted or other)):
        sys.stdout.write(done.stdout + done.stderr)
        raise SystemExit(2)
    return ratcheted, other


def main() -> int:
    ratcheted, other = run_mypy()
    if "--update" in sys.argv:
        old: dict[str, int] = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
        grown = {f: n for f, n in ratcheted.items() if n > old.get(f, 0)}
        if grown and old and "--allow-growth" not in sys.argv:
            print(f"refusing to raise the baseline for {sorted(grown)}; fix those instead")
            return 1
        BASELINE.write_text(json.dumps(dict(sorted(ratcheted.items())), indent=1) + "\n")
        print(f"baseline: {sum(ratcheted.values())} errors in {len(ratcheted)} files")
        return 0
    baseline: dict[str, int] = json.loads(BASELINE.read_text())
    failures = list(other)
    for path, count in sorted(ratcheted.items()):
        allowed = baseline.get(path, 0)
        if count > allowed:
            failures.append(
                f"{path}: {count} untyped def / bare generic errors, baseline {allowed}"
            )
    shrunk = sorted(p for p, n in baseline.items() if ratcheted.get(p, 0) < n)
    for line in failures:
        print(line)
    if shrunk:
        print(f"fewer errors than the baseline in {len(shrunk)} files: run")
        print("  python scripts/mypy_ratchet.py --update   (and commit scripts/mypy-baseline.json)")
    total = sum(ratcheted.values())
    print(
        f"mypy: {len(other)} errors; towards strict: {total} left (baseline {sum(baseline.values())})"
    )
    return 1 if failures or shrunk else 0


if __name__ == "__main__":
    raise SystemExit(main())
