"""The report of an ONDE import: what it changes, line by line and in total.

`schools.services.import_onde_file` returns an `ImportReport` whether it writes or
only previews (dry run). The web preview shows it, the CLI prints it, and its
fingerprint lets a confirmation check that nothing changed since the preview.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

from schools.onde import LineIssue, SkippedLine


class ChangeKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    MOVED = "moved"
    RETURNED = "returned"
    LEFT = "left"


# Not frozen, like `schools.onde.PupilRow`, because an import of 100,000 new pupils
# builds one per pupil. Nothing changes it after planning.
@dataclass(slots=True)
class PupilChange:
    """The change an import makes to one pupil; `line` is None for pupils who left."""

    kind: ChangeKind
    first_name: str
    last_name: str
    line: int | None
    class_before: str
    class_after: str
    fields: tuple[str, ...] = ()  # the pupil fields whose value changes


@dataclass(frozen=True, slots=True)
class ClassSummary:
    label: str
    levels: tuple[str, ...]
    created: bool
    pupil_count: int  # pupils in the class after the import


COUNT_NAMES = (
    "created",
    "updated",
    "moved",
    "returned",
    "left",
    "unchanged",
    "skipped",
    "rejected",
)


@dataclass
class ImportReport:
    """Everything an import changes or would change.

    The counts are of pupils, except `rejected`, which counts rejected lines (a line
    may have several `rejections`, one per column at fault).
    """

    uai: str
    school_name: str
    school_created: bool
    academie: str
    school_year: str
    dry_run: bool
    encoding: str
    delimiter: str
    line_count: int
    created: int
    updated: int
    moved: int
    returned: int
    left: int
    unchanged: int
    skipped: int
    rejected: int
    classes: list[ClassSummary]
    changes: list[PupilChange]
    skipped_lines: list[SkippedLine]
    rejections: list[LineIssue]
    warnings: list[LineIssue]
    school_id: int | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNT_NAMES}

    @property
    def enrolled_before(self) -> int:
        """The pupils the file matched or left, who were enrolled before it.

        Pupils transferred from another school count too, since the report does not
        tell them apart from pupils who changed class within the school.
        """
        return self.left + self.updated + self.moved + self.unchanged

    @property
    def most_pupils_leave(self) -> bool:
        """Whether the import marks more than half the enrolled pupils as left.

        That usually means the file is another school's export, or one class's.
        """
        return self.left * 2 > self.enrolled_before

    @property
    def has_changes(self) -> bool:
        return bool(self.changes) or self.school_created

    def changes_of(self, kind: ChangeKind) -> list[PupilChange]:
        return [change for change in self.changes if change.kind == kind]

    @property
    def created_pupils(self) -> list[PupilChange]:
        return self.changes_of(ChangeKind.CREATED)

    @property
    def updated_pupils(self) -> list[PupilChange]:
        return self.changes_of(ChangeKind.UPDATED)

    @property
    def moved_pupils(self) -> list[PupilChange]:
        return self.changes_of(ChangeKind.MOVED)

    @property
    def returned_pupils(self) -> list[PupilChange]:
        return self.changes_of(ChangeKind.RETURNED)

    @property
    def left_pupils(self) -> list[PupilChange]:
        return self.changes_of(ChangeKind.LEFT)

    def to_dict(self, *, include_pupils: bool = False) -> dict[str, Any]:
        """Return the report as JSON-ready data.

        Pupils' names appear only with `include_pupils`, so the summary can be
        printed or kept without them.
        """
        summary: dict[str, Any] = {
            "school": {
                "id": self.school_id,
                "uai": self.uai,
                "name": self.school_name,
                "created": self.school_created,
                "academie": self.academie,
            },
            "school_year": self.school_year,
            "dry_run": self.dry_run,
            "file": {
                "encoding": self.encoding,
                "delimiter": self.delimiter,
                "lines": self.line_count,
            },
            "counts": self.counts,
            "classes": [
                {**asdict(summary), "levels": list(summary.levels)}
                for summary in self.classes
            ],
            "skipped": [asdict(line) for line in self.skipped_lines],
            "rejections": [asdict(issue) for issue in self.rejections],
            "warnings": [asdict(issue) for issue in self.warnings],
        }
        if include_pupils:
            summary["pupils"] = [
                {
                    **asdict(change),
                    "kind": change.kind.value,
                    "fields": list(change.fields),
                }
                for change in self.changes
            ]
        return summary

    @property
    def fingerprint(self) -> str:
        """Return a digest of what the import changes, dry run or not.

        The web preview keeps it, and the confirmation imports only while the digest
        is unchanged, so the user confirms exactly what they saw.
        """
        content = self.to_dict(include_pupils=True)
        del content["dry_run"]
        del content["school"]["id"]
        encoded = json.dumps(content, sort_keys=True, default=str).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()
