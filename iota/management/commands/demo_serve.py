"""Serve the demo: `iota demo-serve [ADDRPORT]` runs the web server, the task worker
and the hourly reminders.

Each runs as a child process in a process group of its own, so a Ctrl-C in the
terminal reaches this launcher only. The launcher then stops the web server and the
reminders at once, and the worker after the task it is running, such as the demo
study's analysis. A second Ctrl-C stops the worker at once. When a child exits by
itself (the port is taken, say), the launcher stops the others and exits with the
first one's exit code.
"""

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from types import FrameType

from django.core.management.base import BaseCommand, CommandParser

logger = logging.getLogger(__name__)

# Seconds between two checks of whether a child has exited.
POLL_SECONDS = 0.2


class Launcher:
    """Named child processes that start and stop together."""

    def __init__(self, commands: Sequence[tuple[str, list[str]]]) -> None:
        self.commands = commands
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.stop_requests = 0

    def run(self) -> int:
        """Start every command, wait until all have exited, return an exit code.

        The exit code is the first child's that exited by itself, or 0 when a
        signal (SIGINT, SIGTERM) stopped them.
        """
        # The handlers go in before the children start, because exec resets a
        # caught signal to its default action but keeps an ignored one ignored.
        # A background job of a non-interactive shell starts with SIGINT ignored.
        previous = {
            number: signal.signal(number, self._on_signal)
            for number in (signal.SIGINT, signal.SIGTERM)
        }
        exit_code = 0
        try:
            for name, argv in self.commands:
                if self.stop_requests:
                    break
                # process_group=0 puts the child in a new group whose id is its
                # pid, which also contains the processes it starts (runserver's
                # reloader).
                self.processes[name] = subprocess.Popen(  # noqa: S603 - no shell
                    argv, process_group=0
                )
                logger.info("Started %s as process %s.", name, self.processes[name].pid)
            while any(process.poll() is None for process in self.processes.values()):
                exited = [
                    (name, process.returncode)
                    for name, process in self.processes.items()
                    if process.returncode is not None
                ]
                if exited and not self.stop_requests:
                    name, exit_code = exited[0]
                    logger.warning(
                        "%s exited with code %s; stopping the others.", name, exit_code
                    )
                    self.stop()
                time.sleep(POLL_SECONDS)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        if not self.stop_requests:
            # Every child exited by itself between two checks.
            codes = [process.returncode for process in self.processes.values()]
            exit_code = next((code for code in codes if code), 0)
        # A child killed by signal N has the return code -N; shells report 128 + N.
        return 128 - exit_code if exit_code < 0 else exit_code

    def stop(self) -> None:
        """Send SIGINT to every running child's process group.

        Django's runserver exits on the first SIGINT. The task worker of
        django-tasks-db finishes its current task on the first and exits at once on
        the second.
        """
        self.stop_requests += 1
        for name, process in self.processes.items():
            if process.poll() is None:
                logger.info("Sending SIGINT to %s (process %s).", name, process.pid)
                try:
                    os.killpg(process.pid, signal.SIGINT)
                except ProcessLookupError:
                    logger.info("%s had already exited.", name)

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        if self.stop_requests == 1:
            sys.stderr.write("Stopping the task worker now.\n")
        elif self.stop_requests == 0:
            sys.stderr.write(
                "Stopping. The task worker finishes the task it is running first "
                "(press Ctrl-C again to stop it now).\n"
            )
        self.stop()


class Command(BaseCommand):
    help = (
        "Run the development web server, the background task worker (iota "
        "db_worker) and hourly reminders together, as make demo does; Ctrl-C "
        "stops them all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addrport",
            nargs="?",
            default="127.0.0.1:8000",
            help="address and port of the web server (default: %(default)s)",
        )

    def handle(self, *args: object, **options: object) -> None:
        iota = [sys.executable, "-m", "iota.cli"]
        addrport = str(options["addrport"])
        self.stdout.write(
            f"Serving http://{addrport}/ with a task worker for background work "
            "(study analyses) and hourly reminders. Ctrl-C stops them all."
        )
        launcher = Launcher(
            [
                # Without the reloader, the worker's first SIGINT lets it finish the
                # running task; the reloader's parent would kill it at once.
                ("task worker", [*iota, "db_worker", "--no-reload"]),
                ("web server", [*iota, "runserver", addrport]),
                # The teachers' e-mails go to the console in the demo.
                ("reminders", [*iota, "send-reminders", "--every", "3600"]),
            ]
        )
        exit_code = launcher.run()
        if exit_code:
            sys.exit(exit_code)
