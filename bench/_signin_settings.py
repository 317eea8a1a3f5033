"""Settings of the gunicorn that `bench/signin_burst.py` starts: peixun's own settings, with one
URL list that adds the floor view in front of peixun's (see `_signin_urls.py`).

Everything else — middleware, database options, DEBUG off from the environment — is exactly
what `peixun.wsgi` serves in production, so the floor and the sign-in differ only in the view.
`--conn-max-age` (BENCH_CONN_MAX_AGE) tries another database connection lifetime.
"""

import os

from peixun.settings import *  # noqa: F403

ROOT_URLCONF = "bench._signin_urls"
if os.environ.get("BENCH_CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["BENCH_CONN_MAX_AGE"])  # noqa: F405
