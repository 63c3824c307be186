"""Writing an ONDE import's new classes and new and changed pupils to the database.

On PostgreSQL they all go through COPY, and other databases get bulk statements.
"""

import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection
from psycopg.copy import QueuedLibpqWriter

from schools.import_state import PupilState, class_id
from schools.models import Classroom, Pupil

BATCH_SIZE = 2000

# Columns written when inserting a pupil. test_insert_columns_cover_pupil_table
# checks that they are every column of the table, so a new Pupil field fails a test.
INSERT_COLUMNS = (
    "school_id",
    "classroom_id",
    "user_id",
    "ine_hash",
    "last_name",
    "first_name",
    "display_name",
    "level",
    "birth_month",
    "picture_password",
    "left_on",
    "created_at",
    "updated_at",
)


# Columns written when inserting a class, checked like INSERT_COLUMNS.
CLASS_INSERT_COLUMNS = ("id", "school_id", "school_year_id", "label", "levels", "code")


def insert_classes(classes: list[Classroom]) -> None:
    """Insert new classes and set their primary keys.

    On PostgreSQL the keys come from the table's sequence in one query and the rows
    go in with COPY, because for the 4,000 classes of a 100,000-pupil file
    bulk_create spent 0.3 s adapting its parameters.
    """
    if connection.vendor != "postgresql" or not classes:
        Classroom.objects.bulk_create(classes, batch_size=BATCH_SIZE)
        return
    table = Classroom._meta.db_table
    columns = ", ".join(CLASS_INSERT_COLUMNS)
    statement = f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
            "FROM generate_series(1, %s)",
            [table, len(classes)],
        )
        keys = [key for (key,) in cursor.fetchall()]
        lines = []
        for classroom, key in zip(classes, keys, strict=True):
            # The school and school year may be new, saved after the class was
            # built, so their keys are read from the objects.
            classroom.pk = key
            classroom.school_id = classroom.school.pk
            classroom.school_year_id = classroom.school_year.pk
            classroom._state.adding = False
            classroom._state.db = connection.alias
            values = (
                str(key),
                str(classroom.school_id),
                str(classroom.school_year_id),
                _copy_text(classroom.label),
                _copy_text(json.dumps(classroom.levels)),
                _copy_text(classroom.code),
            )
            lines.append("\t".join(values) + "\n")
        with cursor.cursor.copy(statement) as copy:
            copy.write("".join(lines))


def insert_pupils(
    pupils: Iterable[PupilState],
    school_id: int,
    class_ids: dict[str, int],
    now: datetime,
) -> int:
    """Insert the new pupils and return how many there were."""
    if connection.vendor == "postgresql":
        return _copy_pupils(pupils, school_id, class_ids, now)
    created = Pupil.objects.bulk_create(
        (
            Pupil(
                school_id=school_id,
                classroom_id=class_id(pupil.class_key, class_ids),
                ine_hash=pupil.ine_hash,
                last_name=pupil.last_name,
                first_name=pupil.first_name,
                display_name=pupil.display_name,
                level=pupil.level,
                birth_month=pupil.birth_month,
            )
            for pupil in pupils
        ),
        batch_size=BATCH_SIZE,
    )
    return len(created)


# COPY's text format: a backslash starts an escape, tab ends a value, a line break
# ends a row, and \N is NULL.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL_RE = re.compile(r"[\\\t\n\r]")
_COPY_NULL = "\\N"
_COPY_ROWS_PER_WRITE = 5000


def _copy_pupils(
    pupils: Iterable[PupilState],
    school_id: int,
    class_ids: dict[str, int],
    now: datetime,
) -> int:
    """Insert new pupils with COPY and return how many there were.

    COPY is several times faster than INSERT for the 100,000-pupil imports of a
    national roll-out. The rows are written as COPY text here, because psycopg's
    `write_row` adapts each value on its own and took longer than the server took
    to store the rows.
    """
    batches = itertools.batched(pupils, _COPY_ROWS_PER_WRITE)
    first = next(batches, None)
    if first is None:
        return 0
    table = connection.ops.quote_name(Pupil._meta.db_table)
    columns = ", ".join(INSERT_COLUMNS)
    stamp = now.isoformat()
    statement = f"COPY {table} ({columns}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor:
        # A queued writer sends the rows from a thread, so the server stores one
        # batch while this thread prepares the next.
        writer = QueuedLibpqWriter(cursor.cursor)
        with cursor.cursor.copy(statement, writer=writer) as copy:
            for batch in itertools.chain([first], batches):
                rows = (
                    _copy_row(pupil, school_id, class_ids, stamp) for pupil in batch
                )
                copy.write("".join(rows))
                count += len(batch)
    return count


def _copy_row(
    pupil: PupilState, school_id: int, class_ids: dict[str, int], stamp: str
) -> str:
    """Return a new pupil's line of COPY text, in the order of INSERT_COLUMNS."""
    classroom_id = class_id(pupil.class_key, class_ids)
    values = (
        str(school_id),
        _COPY_NULL if classroom_id is None else str(classroom_id),
        _COPY_NULL,  # user_id
        pupil.ine_hash,
        _copy_text(pupil.last_name),
        _copy_text(pupil.first_name),
        _copy_text(pupil.display_name),
        pupil.level,
        pupil.birth_month.isoformat(),
        "",  # picture_password
        _COPY_NULL,  # left_on
        stamp,  # created_at
        stamp,  # updated_at
    )
    return "\t".join(values) + "\n"


def _copy_text(value: str) -> str:
    # Searching first is much faster than translating, and names rarely need it.
    if _COPY_SPECIAL_RE.search(value) is None:
        return value
    return value.translate(_COPY_ESCAPES)


def update_pupils(
    pupils: list[PupilState],
    school_id: int,
    class_ids: dict[str, int],
    now: datetime,
) -> None:
    """Write the changed fields of each pupil, grouped by the set of fields.

    bulk_update writes one CASE expression per field, and the expression grows with
    the batch. It took 80 s for 100,000 pupils moving to a new school year on
    PostgreSQL. So on PostgreSQL the new values are copied into a temporary table
    and applied with one UPDATE; other databases get one prepared UPDATE per pupil
    through executemany.
    """
    groups: dict[tuple[str, ...], list[PupilState]] = defaultdict(list)
    for pupil in pupils:
        groups[tuple(sorted(pupil.dirty))].append(pupil)
    with connection.cursor() as cursor:
        for names, group in groups.items():
            fields = [Pupil._meta.get_field(name) for name in names]
            rows = [
                [pupil.pk]
                + [
                    _written_value(pupil, name, school_id, class_ids, now)
                    for name in names
                ]
                for pupil in group
            ]
            if connection.vendor == "postgresql":
                _update_from_copy(cursor, fields, rows)
            else:
                _update_each(cursor, fields, rows)


def _update_from_copy(cursor: Any, fields: list[Any], rows: list[list]) -> None:
    quote = connection.ops.quote_name
    table = quote(Pupil._meta.db_table)
    columns = [quote(model_field.column) for model_field in fields]
    definitions = ", ".join(
        f"{column} {model_field.db_type(connection)}"
        for column, model_field in zip(columns, fields, strict=True)
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE onde_pupil_update (id bigint, {definitions}) "
        "ON COMMIT DROP"
    )
    with cursor.cursor.copy(
        f"COPY onde_pupil_update (id, {', '.join(columns)}) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)
    assignments = ", ".join(f"{column} = source.{column}" for column in columns)
    cursor.execute(
        f"UPDATE {table} AS pupil SET {assignments} "  # noqa: S608
        "FROM onde_pupil_update AS source WHERE pupil.id = source.id"
    )
    cursor.execute("DROP TABLE onde_pupil_update")


def _update_each(cursor: Any, fields: list[Any], rows: list[list]) -> None:
    quote = connection.ops.quote_name
    table = quote(Pupil._meta.db_table)
    assignments = ", ".join(
        f"{quote(model_field.column)} = %s" for model_field in fields
    )
    prepared = [
        [
            model_field.get_db_prep_save(value, connection)
            for model_field, value in zip(fields, row[1:], strict=True)
        ]
        + [row[0]]
        for row in rows
    ]
    cursor.executemany(
        f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
        prepared,
    )


def _written_value(
    pupil: PupilState,
    name: str,
    school_id: int,
    class_ids: dict[str, int],
    now: datetime,
) -> object:
    if name == "classroom":
        return class_id(pupil.class_key, class_ids)
    if name == "school":
        return school_id
    if name == "updated_at":
        return now
    return getattr(pupil, name)
