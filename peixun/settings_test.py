"""Settings of the test suite, chosen explicitly (`--ds` in pyproject.toml), never guessed.

Everything else is peixun.settings as the demo runs it; only what tests need differs.
"""

from peixun.env import env_bool
from peixun.settings import *  # noqa: F403

TESTING = True
# The test client and the live server of the browser tests use their own host names.
ALLOWED_HOSTS = ["*"]
# Hashing thousands of fixture passwords with Argon2 would dominate the suite's time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Lockout is tested where it is switched on; elsewhere repeated logins must not lock personas out.
AXES_ENABLED = env_bool("PEIXUN_AXES", False)
WHITENOISE_USE_FINDERS = True
# Tests see the tiles computed each time; the snapshot tests turn keeping them on.
DASHBOARD_MAX_AGE_SECONDS = 0
# Background tasks run at once, inside the request that enqueues them; one test runs a task
# through the database backend and the worker (learning.tests.test_import_worker).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
