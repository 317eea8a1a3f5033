"""`make api-fuzz`: schemathesis over every API v1 operation, against the live app.

Builds a small demo tenant in a throw-away SQLite database, serves it with gunicorn on a free
loopback port (DEBUG off, keys of its own, as production runs), takes a bearer token as the
demo's org admin and runs schemathesis with a fixed seed and a bounded budget. The checks are
`not_a_server_error`, `response_schema_conformance` and `status_code_conformance`: any 500, any
response the published schema does not describe, or any status it does not list fails the run
(exit status non-zero). Nothing here needs pytest; the report lands in test-artifacts/api-fuzz/.

Usage: .venv/bin/python scripts/api_fuzz.py [--max-examples N] [--seed N] [--workers N]
       [--keep] [extra schemathesis options after --]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
REPORT_DIR = ROOT / "test-artifacts" / "api-fuzz"
DEMO_PASSWORD = "peixun-demo"  # peixun.demo.generator.DEMO_PASSWORD
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
# Operations that can end the fuzzer's own token: fuzzed after all the others.
CREDENTIAL_ENDING = (
    "peixun_accounts_api_auth_revoke_token",
    "peixun_accounts_api_accounts_reset_password",
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_environment(var_dir: Path) -> dict[str, str]:
    """Production-like settings for a run of its own: DEBUG off, fresh keys, its own database."""
    env = dict(os.environ)
    env.update(
        {
            "PEIXUN_DEBUG": "0",
            "PEIXUN_VAR_DIR": str(var_dir),
            "DATABASE_URL": f"sqlite:///{var_dir / 'fuzz.sqlite3'}",
            "PEIXUN_SECRET_KEY": "fuzz-only-" + secrets.token_urlsafe(48),
            "PEIXUN_FIELD_KEY": "fuzz-only-" + secrets.token_urlsafe(32),
            "PEIXUN_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PEIXUN_SSL_REDIRECT": "0",
            "PEIXUN_HSTS_SECONDS": "0",
            "PEIXUN_SECURE_COOKIES": "0",
            # Only errors: every 4xx the fuzzer provokes would otherwise be a line of the log.
            "PEIXUN_LOG_LEVEL": "ERROR",
            # The fuzzer posts wrong passwords by the hundred; a lockout would only hide answers.
            "PEIXUN_AXES": "0",
        }
    )
    return env


def run(cmd: list[str], env: dict[str, str]) -> None:
    subprocess.run(cmd, cwd=ROOT, env=env, check=True)


def wait_until_up(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode} before serving")
        try:
            with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=5) as answer:  # noqa: S310 (loopback)
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer within a minute")


def bearer_token(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": DEMO_PASSWORD}).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        f"{base}/api/v1/auth/token",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
        return str(json.loads(answer.read())["token"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--workers", default="2")
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--branches", type=int, default=4)
    parser.add_argument("--keep", action="store_true", help="keep the database directory")
    parser.add_argument("extra", nargs="*", help="more schemathesis options (after --)")
    args = parser.parse_args()

    started = time.monotonic()
    var_dir = Path(tempfile.mkdtemp(prefix="peixun-api-fuzz-"))
    env = app_environment(var_dir)
    python = str(BIN / "python")
    run([python, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    # DEBUG off serves the error pages through the static manifest, as production does.
    run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    run(
        [
            python,
            "manage.py",
            "load_demo",
            "--members",
            str(args.members),
            "--branches",
            str(args.branches),
            "--seed",
            str(args.seed),
        ],
        env,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(  # noqa: S603 (our own gunicorn, fixed arguments)
        [
            str(BIN / "gunicorn"),
            "peixun.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            # The fuzzer's query strings can pass gunicorn's 4 KB request line, which answers 414
            # before the app is reached: the app's own answer to them is what is tested here.
            "--limit-request-line",
            "0",
            # A class's certificates or notices as one PDF took over 30 s (gunicorn's default)
            # on the 2-core CI machine under other load; the fuzz checks answers, not speed.
            "--timeout",
            "120",
            "--error-logfile",
            str(var_dir / "gunicorn.log"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(base, server)
        token = bearer_token(base, "org_admin")
        seeded = time.monotonic()
        REPORT_DIR.mkdir(parents=True, exist_ok=True)
        fuzz = [
            str(BIN / "schemathesis"),
            "run",
            f"{base}/api/v1/openapi.json",
            "--url",
            base,
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            CHECKS,
            "--max-examples",
            str(args.max_examples),
            "--seed",
            str(args.seed),
            "--workers",
            str(args.workers),
            "--phases",
            "examples,coverage,fuzzing",
            # The same cases on every run: no examples replayed from an earlier run's database.
            "--generation-database",
            "none",
            "--request-timeout",
            "120",
            "--no-color",
            "--report",
            "junit,ndjson",
            "--report-dir",
            str(REPORT_DIR),
            *args.extra,
        ]
        # Revoking a token or resetting a password may end the fuzzer's own credentials (its
        # token is one of the first ids it tries): everything else runs first, those two last,
        # and the run fails if any operation was only ever refused authentication.
        ending = [f"--exclude-operation-id={op}" for op in CREDENTIAL_ENDING]
        result = subprocess.run([*fuzz, *ending], cwd=ROOT, env=env, check=False)  # noqa: S603
        last = [f"--include-operation-id={op}" for op in CREDENTIAL_ENDING]
        final = subprocess.run([*fuzz, *last], cwd=ROOT, env=env, check=False)  # noqa: S603
        status = result.returncode or final.returncode
        print(
            f"api-fuzz: setup {seeded - started:.0f} s, fuzzing {time.monotonic() - seeded:.0f} s,"
            f" schemathesis exit status {result.returncode} (credential-ending operations:"
            f" {final.returncode})",
            flush=True,
        )
        return status
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        if args.keep:
            print(f"api-fuzz: database and logs kept in {var_dir}")
        else:
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
