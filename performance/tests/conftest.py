"""Fixtures of the performance tests: the shipped tasks, a wave and pupils."""

import pytest

from assessment.tests.conftest import (  # noqa: F401 - fixtures shared with assessment
    campaign,
    classmate,
    instrument,
    make_pupil,
    outsider_pupil,
    pupil,
    session,
    wave,
)
from performance.definitions import sync_tasks
from performance.models import Task


@pytest.fixture
def tasks(db) -> dict[str, Task]:
    """The shipped tasks, by key."""
    sync_tasks()
    return {task.key: task for task in Task.objects.all()}
