"""Settings for the test suite: the production settings with test-only shortcuts."""

import os

os.environ["IOTA_TESTING"] = "1"

from iota.settings import *  # noqa: E402, F403

# A fast hasher: the suite creates many accounts; hashing strength is not under test.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
