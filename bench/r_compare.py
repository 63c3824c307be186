"""Benchmark: our CFA and mixed models against lavaan and lme4 on the same data.

Times each fit in Python and in R in the same run, on the reference files, and
prints the median seconds of each and their ratio:

- ``cfa``: the three-factor Holzinger-Swineford CFA, `fit_cfa` against
  ``lavaan::cfa``;
- ``invariance``: configural, metric and scalar models across the two schools,
  `fit_invariance` against three ``lavaan::cfa`` fits with ``group.equal``;
- ``mixed``: ``Reaction ~ Days + (Days | Subject)`` on sleepstudy with
  Satterthwaite df, `fit_mixed` against ``lmerTest::lmer`` and ``summary``;
- ``nested``: ``perseverance ~ arm * wave + (1 | school/class/pupil)`` on the
  simulated programme of the tests, `fit_nested_mixed` against the same lmer
  call and ``summary``.

    .venv/bin/python bench/r_compare.py [--repeats 20] [--data ../shared/data]

R 4.2 with Debian's r-cran-lavaan, r-cran-lme4 and r-cran-lmertest must be on the
PATH (``apt-get install -y r-cran-lavaan r-cran-lme4 r-cran-lmertest``). Both
sides load their libraries and data and fit once before timing, so the figures
are per fit, without start-up.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
PROGRAMME = ROOT / "assessment" / "tests" / "data" / "programme_small.csv"
HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"

R_SCRIPT = r"""
suppressMessages({library(lavaan); library(lmerTest)})
args <- commandArgs(trailingOnly = TRUE)
data_dir <- args[1]; programme <- args[2]; repeats <- as.integer(args[3])
hs <- read.csv(file.path(data_dir, "holzinger_swineford_1939.csv"))
sleep <- read.csv(file.path(data_dir, "sleepstudy.csv"))
prog <- read.csv(programme)
prog$school <- factor(prog$school); prog$class <- factor(prog$class)
prog$pupil <- factor(prog$pupil)
model <- 'visual =~ x1 + x2 + x3
textual =~ x4 + x5 + x6
speed =~ x7 + x8 + x9'
cases <- list(
  cfa = function() fitMeasures(cfa(model, data = hs)),
  invariance = function() {
    fitMeasures(cfa(model, data = hs, group = "school"))
    for (equal in list("loadings", c("loadings", "intercepts")))
      fitMeasures(cfa(model, data = hs, group = "school", group.equal = equal))
  },
  mixed = function()
    coef(summary(lmer(Reaction ~ Days + (Days | Subject), data = sleep))),
  nested = function()
    coef(summary(lmer(perseverance ~ arm * wave + (1 | school/class/pupil),
                      data = prog)))
)
for (name in names(cases)) {
  cases[[name]]()
  seconds <- replicate(repeats, {
    start <- proc.time()[["elapsed"]]; cases[[name]]()
    proc.time()[["elapsed"]] - start
  })
  cat(sprintf('{"case": "%s", "seconds": %.6f}\n', name, median(seconds)))
}
"""


def python_cases(data: Path) -> dict[str, Callable[[], object]]:
    import pandas as pd

    from assessment.cfa import fit_cfa, fit_invariance
    from assessment.mixed import fit_mixed
    from assessment.multilevel import fit_nested_mixed

    hs = pd.read_csv(data / "holzinger_swineford_1939.csv")
    sleep = pd.read_csv(data / "sleepstudy.csv")
    programme = pd.read_csv(PROGRAMME)
    return {
        "cfa": lambda: fit_cfa(hs, HS_MODEL),
        "invariance": lambda: fit_invariance(hs, HS_MODEL, "school"),
        "mixed": lambda: fit_mixed(
            sleep, "Reaction ~ Days", "Subject", re_formula="~Days"
        ),
        "nested": lambda: fit_nested_mixed(
            programme,
            "perseverance ~ C(arm) * C(wave)",
            ["school", "class", "pupil"],
        ),
    }


def time_python(data: Path, repeats: int) -> dict[str, float]:
    medians = {}
    for name, case in python_cases(data).items():
        case()
        seconds = []
        for _ in range(repeats):
            start = time.perf_counter()
            case()
            seconds.append(time.perf_counter() - start)
        medians[name] = statistics.median(seconds)
    return medians


def time_r(data: Path, repeats: int) -> dict[str, float]:
    rscript = shutil.which("Rscript")
    if rscript is None:
        raise SystemExit(
            "Rscript not found: apt-get install -y r-cran-lavaan r-cran-lme4 "
            "r-cran-lmertest"
        )
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as script:
        script.write(R_SCRIPT)
    try:
        completed = subprocess.run(  # noqa: S603 - Rscript with fixed arguments
            [rscript, script.name, str(data), str(PROGRAMME), str(repeats)],
            check=True,
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(script.name)
    return {
        row["case"]: row["seconds"]
        for row in map(json.loads, completed.stdout.strip().splitlines())
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="timed fits per case")
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(
            os.environ.get("IOTA_REFERENCE_DATA", ROOT.parent / "shared" / "data")
        ),
        help="folder of the reference data (default: $IOTA_REFERENCE_DATA)",
    )
    options = parser.parse_args()
    python = time_python(options.data, options.repeats)
    r = time_r(options.data, options.repeats)
    print(f"median of {options.repeats} fits, in ms")
    print(f"{'case':<12}{'python':>10}{'R':>10}{'python/R':>10}")
    for name, seconds in python.items():
        print(
            f"{name:<12}{seconds * 1000:>10.1f}{r[name] * 1000:>10.1f}"
            f"{seconds / r[name]:>10.2f}"
        )


if __name__ == "__main__":
    main()
