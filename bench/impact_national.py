"""Benchmark: the impact analysis of a national programme, from its Parquet export.

Draws a programme of national size with `assessment.simulate` (by default 70,000
classes of 17 to 29 pupils, 3 classes per school, about 1.6 million pupils, 4
waves, 4 skills of 8 items each), writes it as one Parquet file in the long shape
of the research export (one row per pupil and wave, identifiers, arm, wave, every
item and the four scale scores), then, each in a fresh process so that peak memory
covers that step alone:

- ``analysis``: reads the identifiers and one skill's score at a time from the
  Parquet file and runs `assessment.impact.analyse_impact` on it, every statistic
  on every row (the three-level mixed model with Satterthwaite df, the DiD with
  class-clustered errors, Hedges' g, the ICCs, equivalence, attrition, MDES);
- ``duckdb``: one DuckDB query over the same file that scans the same columns
  and returns each skill's count, mean and SD per arm and wave.

    .venv/bin/python bench/impact_national.py [--classes 70000] [--runs 3]
        [--workers 2]

With ``--workers 2`` two processes share the skills, one per core; their CPU
time and peak memory are added up. Prints the wall and CPU seconds and the peak
resident memory of each step, the median over the runs, and the ratio of the
analysis to the scan. Target: analysis under 120 s and 8 GiB.
"""

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ID_COLUMNS = ["pupil", "class", "school", "arm", "wave"]


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("VmHWM not found in /proc/self/status (Linux only)")


def generate(path: Path, classes: int, seed: int) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from assessment.simulate import ProgrammeDesign, simulate_programme

    design = ProgrammeDesign(
        n_classes=classes, classes_per_school=3, pupils_per_class=23
    )
    start = time.perf_counter()
    frame = simulate_programme(design, seed=seed, item_dtype="Int8")
    drawn = time.perf_counter() - start
    start = time.perf_counter()
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, compression="zstd", row_group_size=1_000_000)
    written = time.perf_counter() - start
    return {
        "rows": len(frame),
        "pupils": int(frame["pupil"].nunique()),
        "classes": classes,
        "columns": frame.shape[1],
        "skills": list(design.skills),
        "draw_seconds": drawn,
        "write_seconds": written,
        "parquet_mib": path.stat().st_size / 2**20,
    }


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def analyse(path: Path, skills: list[str]) -> dict:
    import pyarrow.parquet as pq

    from assessment.impact import analyse_impact

    start = time.perf_counter()
    frame = pq.read_table(path, columns=[*ID_COLUMNS, *skills]).to_pandas()
    read = time.perf_counter() - start
    results = analyse_impact(frame, skills)
    per_skill = {}
    for skill, result in results.items():
        mixed = result.mixed_did_term
        per_skill[skill] = {
            "did": result.did.estimate,
            "did_se": result.did.cr1.se,
            "mixed_did": float(mixed["estimate"]),
            "mixed_se": float(mixed["se"]),
            "mixed_df": float(mixed["df"]),
            "g": result.effect_size.g,
            "baseline_icc_class": result.baseline_icc.icc_class,
            "attrition_overall": result.attrition.overall,
            "n_obs": result.mixed_model.n_obs,
        }
    return {
        "seconds": time.perf_counter() - start,
        "read_seconds": read,
        "cpu_seconds": cpu_seconds(),
        "peak_mib": peak_rss_mib(),
        "skills": per_skill,
    }


def scan(path: Path, skills: list[str]) -> dict:
    import duckdb

    start = time.perf_counter()
    aggregates = ", ".join(
        f"count({skill}), avg({skill}), stddev_samp({skill})" for skill in skills
    )
    connection = duckdb.connect()
    rows = connection.execute(
        f"SELECT arm, wave, count(DISTINCT pupil), count(DISTINCT class), "
        f"{aggregates} FROM read_parquet('{path}') GROUP BY arm, wave"
    ).fetchall()
    return {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": cpu_seconds(),
        "peak_mib": peak_rss_mib(),
        "groups": len(rows),
    }


def run_step(step: str, path: Path, skills: list[str], workers: int = 1) -> dict:
    """Run a step in fresh processes, skills split over `workers` of them.

    Wall time runs until the last process ends; CPU time and peak memory add
    up over the processes, since they run at the same time.
    """
    start = time.perf_counter()
    processes = [
        subprocess.Popen(  # noqa: S603 - this script with fixed arguments
            [
                sys.executable,
                __file__,
                "--step",
                step,
                "--path",
                str(path),
                "--skills",
                ",".join(skills[index::workers]),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for index in range(workers)
    ]
    outputs = []
    for process in processes:
        stdout, _ = process.communicate()
        if process.returncode:
            raise SystemExit(f"{step} step failed with exit code {process.returncode}")
        outputs.append(json.loads(stdout.strip().splitlines()[-1]))
    merged = {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": sum(output["cpu_seconds"] for output in outputs),
        "peak_mib": sum(output["peak_mib"] for output in outputs),
        "skills": {},
    }
    for output in outputs:
        merged["skills"].update(output.get("skills", {}))
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--classes", type=int, default=70_000, help="classes drawn")
    parser.add_argument("--runs", type=int, default=3, help="runs of each step")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the draw")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes that share the skills of the analysis (default 1)",
    )
    parser.add_argument(
        "--step", choices=["analysis", "duckdb"], help=argparse.SUPPRESS
    )
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--skills", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step:
        skills = options.skills.split(",")
        step = analyse if options.step == "analysis" else scan
        print(json.dumps(step(options.path, skills)))
        return

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "programme.parquet"
        drawn = generate(path, options.classes, options.seed)
        print(
            f"drew {drawn['rows']:,} rows ({drawn['pupils']:,} pupils, "
            f"{drawn['classes']:,} classes, {drawn['columns']} columns) in "
            f"{drawn['draw_seconds']:.1f} s; Parquet written in "
            f"{drawn['write_seconds']:.1f} s ({drawn['parquet_mib']:.0f} MiB)"
        )
        results: dict[str, list[dict]] = {"analysis": [], "duckdb": []}
        for run in range(1, options.runs + 1):
            for step in results:
                workers = options.workers if step == "analysis" else 1
                result = run_step(step, path, drawn["skills"], workers)
                results[step].append(result)
                print(
                    f"run {run} {step}: {result['seconds']:.1f} s "
                    f"({result['cpu_seconds']:.1f} s CPU), "
                    f"peak {result['peak_mib']:,.0f} MiB"
                )
        for skill, figures in results["analysis"][-1]["skills"].items():
            print(
                f"  {skill}: {figures['n_obs']:,} scores, "
                f"DiD {figures['did']:.4f} ({figures['did_se']:.4f}), mixed "
                f"{figures['mixed_did']:.4f} ({figures['mixed_se']:.4f}, df "
                f"{figures['mixed_df']:,.0f}), g {figures['g']:.4f}, baseline ICC "
                f"{figures['baseline_icc_class']:.3f}, attrition "
                f"{figures['attrition_overall']:.3f}"
            )
        medians = {
            step: {
                key: statistics.median(run[key] for run in runs)
                for key in ("seconds", "cpu_seconds", "peak_mib")
            }
            for step, runs in results.items()
        }
        analysis, duckdb_scan = medians["analysis"], medians["duckdb"]
        print(
            f"median of {options.runs}: analysis {analysis['seconds']:.1f} s "
            f"({analysis['cpu_seconds']:.1f} s CPU) and "
            f"{analysis['peak_mib']:,.0f} MiB, DuckDB scan "
            f"{duckdb_scan['seconds']:.1f} s ({duckdb_scan['cpu_seconds']:.1f} s "
            f"CPU) and {duckdb_scan['peak_mib']:,.0f} MiB; ratio "
            f"{analysis['seconds'] / duckdb_scan['seconds']:.0f}x time, "
            f"{analysis['peak_mib'] / duckdb_scan['peak_mib']:.1f}x memory"
        )


if __name__ == "__main__":
    main()
