"""A small simulated study, built by the demo's generator, for the reports tests."""

import pytest

from iota.demo_study import DemoStudyDesign, create_demo_study
from studies.models import Study

# Two schools of two classes: one programme and one comparison class in each, so
# every analysis has both arms, with few enough pupils to run in seconds.
SMALL_DESIGN = DemoStudyDesign(
    class_counts=(2, 2),
    pupils_per_class=10,
    size_spread=0,
    consent_refused=0.1,
    consent_unknown=0.1,
    seed=7,
)


@pytest.fixture
def small_study(coordinator) -> Study:
    return create_demo_study(
        coordinator=coordinator, password="study-teacher", design=SMALL_DESIGN
    )
