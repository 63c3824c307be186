"""Coverage of the impact intervals on programmes drawn with a known effect.

Each replication draws a programme with `assessment.simulate` (a continuous
score, an effect of 0.2 SD at T4, a school share of 0.05 and a class share of
0.10 of the variance, 3 % dropout per wave) and checks whether each 95 %
interval contains the true effect. Over 1,000 replications a correct interval
covers it 93 to 97 % of the time: the binomial SD of the share is 0.7 point, so
the band is about three SDs wide on each side.

They take about a minute on an idle 2-core machine and several on a busy one, so
they run only with IOTA_SLOW_TESTS=1, as CI sets for its SQLite run:

    IOTA_SLOW_TESTS=1 .venv/bin/pytest assessment/tests/test_impact_coverage.py
"""

import dataclasses
import os

import numpy as np
import pytest

from assessment.impact import analyse_impact, difference_in_differences
from assessment.simulate import ProgrammeDesign, simulate_programme

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("IOTA_SLOW_TESTS") != "1",
        reason="coverage simulations take minutes; set IOTA_SLOW_TESTS=1",
    ),
]

EFFECT = 0.2
DESIGN = ProgrammeDesign(
    n_classes=40,
    classes_per_school=2,
    pupils_per_class=20,
    skills={"score": 0},
    effect=EFFECT,
    icc_school=0.05,
    icc_class=0.10,
)
REPLICATIONS = 1000


def _covers(low: float, high: float) -> bool:
    return low <= EFFECT <= high


def test_did_cr1_interval_covers_true_effect():
    covered = []
    for seed in range(REPLICATIONS):
        data = simulate_programme(DESIGN, seed=seed)
        did = difference_in_differences(data, "score", bootstrap_below=0)
        covered.append(_covers(did.cr1.ci_low, did.cr1.ci_high))
    assert 0.93 <= np.mean(covered) <= 0.97


def test_mixed_model_interval_covers_true_effect():
    covered = []
    baseline_icc = []
    for seed in range(REPLICATIONS):
        data = simulate_programme(DESIGN, seed=seed)
        result = analyse_impact(data, ["score"], bootstrap_below=0)["score"]
        term = result.mixed_did_term
        covered.append(_covers(term["ci_low"], term["ci_high"]))
        baseline_icc.append(result.baseline_icc.icc_class)
    assert 0.93 <= np.mean(covered) <= 0.97
    # Pupils of one class share the school and class terms: 0.05 + 0.10.
    assert np.mean(baseline_icc) == pytest.approx(0.15, abs=0.02)


def test_wild_bootstrap_interval_covers_with_twelve_classes():
    few = dataclasses.replace(DESIGN, n_classes=12)
    covered = []
    for seed in range(REPLICATIONS):
        data = simulate_programme(few, seed=seed)
        did = difference_in_differences(data, "score", replications=399)
        assert did.bootstrap is not None
        covered.append(_covers(did.bootstrap.ci_low, did.bootstrap.ci_high))
    assert 0.93 <= np.mean(covered) <= 0.97
