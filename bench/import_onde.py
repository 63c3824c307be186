"""Benchmark: import an ONDE export of 100,000 pupils into PostgreSQL.

Prints the seconds and peak memory of `import_onde_file` next to PostgreSQL's `COPY`
of the same rows into a table of the same shape as `schools_pupil` (same columns,
constraints and indexes, but no foreign keys), measured in the same run, and the
ratio. Target: under 10 s and at most 3 times `COPY`. For context it also times
`COPY` into a table that has `schools_pupil`'s foreign keys too, whose checks the
import cannot skip. Each run repeats all three; the last lines give the medians.

    .venv/bin/python bench/import_onde.py [--pupils 100000] [--runs 3]
        [--database-url URL]

The database named in the URL (default `iota_bench` on 127.0.0.1) is created if it is
missing and its IOTA tables are emptied before each run.
"""

import argparse
import io
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def generate_onde_file(pupils: int) -> bytes:
    """Return an ONDE export of `pupils` CM1 and CM2 pupils, 25 to a class."""
    from iota.fictional import ClassSpec, fictional_onde_export

    classes = [
        ClassSpec(f"{level} {number:05d}", {level: min(25, pupils - index)})
        for number, index in enumerate(range(0, pupils, 25))
        for level in ["CM1" if number % 2 == 0 else "CM2"]
    ]
    return fictional_onde_export(classes, school_year_start=2026)


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def reset_peak_rss() -> None:
    # Writing 5 to clear_refs resets the kernel's high-water mark of resident memory
    # (Linux 4.0 and newer), so the next reading covers only what follows.
    Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def empty_tables() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE schools_pupil, schools_classroom_teachers, schools_classroom, "
            "schools_school RESTART IDENTITY CASCADE"
        )


def time_import(data: bytes, uai: str) -> tuple[float, float, object]:
    """Return the seconds, the peak resident memory (MiB) and the import report.

    Memory is the process's high-water mark, not tracemalloc's count, because
    tracemalloc slows every allocation and would distort the time.
    """
    from schools.services import import_onde_file

    reset_peak_rss()
    started = time.perf_counter()
    report = import_onde_file(data, uai=uai, school_name="École du banc d'essai")
    seconds = time.perf_counter() - started
    return seconds, peak_rss_mib(), report


def time_copy(*, foreign_keys: bool = False) -> tuple[float, int]:
    """COPY the pupil rows the import stored into an empty table of the same shape.

    With `foreign_keys`, the table also gets schools_pupil's foreign keys. The
    connection is in autocommit mode, so the time includes the commit, where
    PostgreSQL checks the deferred foreign keys.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_pupil_copy")
        cursor.execute(
            "CREATE TABLE bench_pupil_copy (LIKE schools_pupil INCLUDING ALL)"
        )
        if foreign_keys:
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'schools_pupil'::regclass AND contype = 'f'"
            )
            for (definition,) in cursor.fetchall():
                cursor.execute(f"ALTER TABLE bench_pupil_copy ADD {definition}")
        buffer = io.BytesIO()
        raw = cursor.connection
        with raw.cursor().copy("COPY schools_pupil TO STDOUT") as copy:
            for chunk in copy:
                buffer.write(chunk)
        payload = buffer.getvalue()
        rows = payload.count(b"\n")
        started = time.perf_counter()
        with raw.cursor().copy("COPY bench_pupil_copy FROM STDIN") as copy:
            copy.write(payload)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_pupil_copy")
    return seconds, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/iota_bench"
        ),
    )
    args = parser.parse_args()

    ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iota.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    data = generate_onde_file(args.pupils)
    uai = "0750001U"
    print(f"pupils in file: {args.pupils}")
    print("run  import (s)  COPY (s)  ratio  COPY with FKs (s)  peak RSS (MiB)  load")
    imports, copies, ratios, copies_fk = [], [], [], []
    for run in range(1, args.runs + 1):
        empty_tables()
        # Other processes on the machine slow both timings; the 1-minute load
        # average before each run shows how busy it was.
        load = os.getloadavg()[0]
        import_seconds, import_peak, report = time_import(data, uai)
        copy_seconds, copied = time_copy()
        copy_fk_seconds, _copied = time_copy(foreign_keys=True)
        if report.created != args.pupils or copied != args.pupils:
            sys.exit(f"run {run}: created {report.created}, copied {copied} rows")
        imports.append(import_seconds)
        copies.append(copy_seconds)
        ratios.append(import_seconds / copy_seconds)
        copies_fk.append(copy_fk_seconds)
        print(
            f"{run:3d}  {import_seconds:10.2f}  {copy_seconds:8.2f}  "
            f"{ratios[-1]:5.2f}  {copy_fk_seconds:17.2f}  {import_peak:14.1f}  "
            f"{load:4.1f}"
        )
    print(
        f"median  import {statistics.median(imports):.2f} s, "
        f"COPY {statistics.median(copies):.2f} s, "
        f"ratio {statistics.median(ratios):.2f}, "
        f"COPY with FKs {statistics.median(copies_fk):.2f} s"
    )
    empty_tables()


if __name__ == "__main__":
    main()
