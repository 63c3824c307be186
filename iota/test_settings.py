"""Settings for the test suite: the production settings with test-only shortcuts."""

import os
import tempfile
from pathlib import Path

os.environ["IOTA_TESTING"] = "1"

from iota.settings import *  # noqa: E402, F403
from iota.settings import DATABASES  # noqa: E402

# A fast hasher: the suite creates many accounts; hashing strength is not under test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Browser tests run the live server's threads against the test database, several
    # requests at a time. An in-memory database is one connection shared by those
    # threads, which SQLite rejects under concurrent use, so the tests use a file
    # (one per test process, so parallel runs never share it).
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"iota-test-{os.getpid()}.sqlite3")
    }
