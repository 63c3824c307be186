"""The demo launcher with real child processes: how a signal or an exit stops both."""

import signal
import subprocess
import sys
import time
from pathlib import Path

# A child that marks itself started, then waits. With `graceful`, its first SIGINT
# lets it finish half a second of work and exit 0, as the task worker does. With
# `fails`, it exits with code 3 once the other child has started.
CHILD = """
import pathlib, signal, sys, time
folder, name, mode = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
def finish(number, frame):
    time.sleep(0.5)
    (folder / f"{name}.finished").touch()
    sys.exit(0)
if mode == "graceful":
    signal.signal(signal.SIGINT, finish)
(folder / f"{name}.started").touch()
if mode == "fails":
    while len(list(folder.glob("*.started"))) < 2:
        time.sleep(0.05)
    sys.exit(3)
time.sleep(120)
"""

# The launcher under test, run as `python -c LAUNCHER FOLDER MODE_A MODE_B [ignore]`.
# With "ignore" it starts with SIGINT ignored, as a background job of a
# non-interactive shell does.
LAUNCHER = """
import signal, sys
if sys.argv[4:] == ["ignore"]:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
from iota.management.commands.demo_serve import Launcher
folder, first, second = sys.argv[1:4]
child = [sys.executable, "-c", sys.argv[5]]
sys.exit(Launcher([
    ("first", [*child, folder, "first", first]),
    ("second", [*child, folder, "second", second]),
]).run())
"""

# Seconds to wait for Python processes to start on a busy machine.
STARTUP_TIMEOUT = 60


def start_launcher(folder: Path, first: str, second: str, *, ignore: bool = False):
    extra = "ignore" if ignore else "keep"
    return subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", LAUNCHER, str(folder), first, second, extra, CHILD]
    )


def wait_for(paths: list[Path]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not all(path.exists() for path in paths):
        assert time.monotonic() < deadline, f"not created in time: {paths}"
        time.sleep(0.1)


def test_sigint_lets_graceful_child_finish(tmp_path: Path):
    launcher = start_launcher(tmp_path, "graceful", "plain")
    wait_for([tmp_path / "first.started", tmp_path / "second.started"])
    launcher.send_signal(signal.SIGINT)
    assert launcher.wait(timeout=STARTUP_TIMEOUT) == 0
    assert (tmp_path / "first.finished").exists()


def test_child_exit_stops_the_other(tmp_path: Path):
    launcher = start_launcher(tmp_path, "fails", "graceful")
    assert launcher.wait(timeout=STARTUP_TIMEOUT) == 3
    assert (tmp_path / "second.finished").exists()


def test_sigterm_stops_children_started_ignoring_sigint(tmp_path: Path):
    launcher = start_launcher(tmp_path, "plain", "plain", ignore=True)
    wait_for([tmp_path / "first.started", tmp_path / "second.started"])
    launcher.send_signal(signal.SIGTERM)
    # The plain children sleep 120 s: they exit sooner only if SIGINT stops them.
    assert launcher.wait(timeout=STARTUP_TIMEOUT) == 0
