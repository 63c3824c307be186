"""The ONDE import's record of a pupil while it plans and writes the changes.

`schools.services` plans an import with these records rather than model instances,
because a national roll-out imports files of 100,000 pupils, and
`schools.import_writes` writes them.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

# A class in the plan: ("saved", pk) or, for a class this import creates,
# ("new", label); labels are unique within a school year.
ClassKey = tuple[str, int | str]


@dataclass(slots=True, eq=False)
class PupilState:
    """A pupil in the plan: one loaded from the database, or one to create."""

    pk: int | None
    ine_hash: str
    school_id: int | None
    class_key: ClassKey | None
    class_label: str
    last_name: str
    first_name: str
    level: str
    birth_month: date
    display_name: str
    left_on: date | None
    dirty: set[str] = field(default_factory=set)  # model fields to write


STATE_COLUMNS = (
    "pk",
    "ine_hash",
    "school_id",
    "classroom_id",
    "classroom__label",
    "last_name",
    "first_name",
    "level",
    "birth_month",
    "display_name",
    "left_on",
)


def load_states(pupils: Iterable[tuple]) -> Iterator[PupilState]:
    for (
        pk,
        ine_hash,
        school_id,
        classroom_id,
        class_label,
        last_name,
        first_name,
        level,
        birth_month,
        display_name,
        left_on,
    ) in pupils:
        yield PupilState(
            pk=pk,
            ine_hash=ine_hash,
            school_id=school_id,
            class_key=("saved", classroom_id) if classroom_id is not None else None,
            class_label=class_label or "",
            last_name=last_name,
            first_name=first_name,
            level=level,
            birth_month=birth_month,
            display_name=display_name,
            left_on=left_on,
        )


def class_id(key: ClassKey | None, class_ids: dict[str, int]) -> int | None:
    if key is None:
        return None
    kind, value = key
    return class_ids[str(value)] if kind == "new" else int(value)
