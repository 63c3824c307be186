"""The `iota` command: Django's management commands plus the project's own.

`iota import-onde FILE` and `iota import_onde FILE` run the same command, so the
project's commands can be spelt with hyphens as the README does.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iota.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "iota"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
