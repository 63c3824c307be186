"""Services of the schools app: bringing a school and its pupils in from ONDE.

`import_onde_file` reads an export (see `schools.onde`) and plans every change
against the database in memory. It then writes them in one transaction, unless it is
a dry run. Planning takes a fixed number of queries, never one per line, and holds
pupils as small records rather than model instances, because a national roll-out
imports files of 100,000 pupils.
"""

import contextlib
import functools
import gc
import hashlib
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from schools.academies import DepartmentEntry, find_department
from schools.display_names import compute_display_names
from schools.import_report import (
    COUNT_NAMES,
    ChangeKind,
    ClassSummary,
    ImportReport,
    PupilChange,
)
from schools.import_state import (
    STATE_COLUMNS,
    ClassKey,
    PupilState,
    load_states,
)
from schools.import_writes import (
    BATCH_SIZE,
    insert_classes,
    insert_pupils,
    update_pupils,
)
from schools.models import Academie, Classroom, Pupil, School, SchoolYear
from schools.onde import (
    LEVEL_ORDER,
    LineIssue,
    OndeFile,
    OndeImportError,
    PupilRow,
    parse_onde,
)
from schools.uai import normalize_uai, uai_department, validate_uai

logger = logging.getLogger(__name__)

# Class codes avoid characters that look alike on a card or a tablet: 0/O, 1/I/L.
CLASS_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CLASS_CODE_LENGTH = 6
PUPIL_FIELDS = ("last_name", "first_name", "level", "birth_month")

__all__ = [
    "ChangeKind",
    "ClassSummary",
    "ImportChangedError",
    "ImportReport",
    "OndeImportError",
    "PupilChange",
    "hash_ine",
    "import_onde_file",
    "school_year_dates",
]


class ImportChangedError(OndeImportError):
    """The database changed between the preview and the confirmation."""


def hash_ine(ine: str) -> str:
    """Return the keyed hash (HMAC-SHA256) that stands for an INE in the database."""
    return _ine_hasher()(ine.strip().upper().replace(" ", ""))


def _ine_hasher() -> Callable[[str], str]:
    """Return a function that hashes an INE already in upper case without spaces.

    The function computes HMAC-SHA256 as RFC 2104 defines it, from two SHA-256
    states keyed once: copying hashlib objects takes half the time of copying an
    hmac.HMAC, whose Python layer dominates for an 11-character INE. The result
    equals hmac.new(key, ine, "sha256"), which the tests check.
    """
    inner, outer = _keyed_sha256_states(settings.PSEUDONYM_KEY)

    def hash_normalized(ine: str) -> str:
        inner_hash = inner.copy()
        inner_hash.update(ine.encode("utf-8"))
        outer_hash = outer.copy()
        outer_hash.update(inner_hash.digest())
        return outer_hash.hexdigest()

    return hash_normalized


_SHA256_BLOCK_SIZE = 64  # bytes


@functools.lru_cache(maxsize=2)
def _keyed_sha256_states(key: str) -> tuple[Any, Any]:
    """Return SHA-256 states fed the key XOR ipad and the key XOR opad (RFC 2104)."""
    key_bytes = key.encode("utf-8")
    if len(key_bytes) > _SHA256_BLOCK_SIZE:
        key_bytes = hashlib.sha256(key_bytes).digest()
    key_bytes = key_bytes.ljust(_SHA256_BLOCK_SIZE, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key_bytes))
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key_bytes))
    return inner, outer


def school_year_dates(day: date) -> tuple[str, date, date]:
    """Return the label, first and last day of the school year that contains `day`.

    A school year starts on 1 September.
    """
    start_year = day.year if (day.month, day.day) >= (9, 1) else day.year - 1
    # NOTE: the Ministry sets the last day each year; recent calendars end classes
    # on the first Saturday of July, which is used here.
    july_first = date(start_year + 1, 7, 1)
    ends_on = july_first + timedelta(days=(5 - july_first.weekday()) % 7)
    return f"{start_year}-{start_year + 1}", date(start_year, 9, 1), ends_on


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, unless something else already has.

    An import builds a few hundred thousand small objects that all live until it
    ends, and the collector's repeated passes over them took 0.5 s of CPU in a
    100,000-pupil import (bench/import_onde.py). Reference counting still frees
    what is not in a cycle. The pause is process-wide, so other threads run without
    the collector until the import that paused it ends.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


@_cyclic_gc_paused()
def import_onde_file(
    data: bytes,
    *,
    uai: str,
    school_name: str | None = None,
    dry_run: bool = False,
    levels: Sequence[str] | None = None,
    today: date | None = None,
    expected_fingerprint: str | None = None,
) -> ImportReport:
    """Import a school's ONDE export and return what changed.

    Create the school (with its académie) and the school year if they are new, then
    the classes and pupils; update, move, mark as left and bring back pupils matched
    by their hashed INE. `levels` defaults to settings.IOTA_LEVELS and `today` to
    the local date. With `dry_run` nothing is written. With `expected_fingerprint`,
    raise ImportChangedError unless the report's fingerprint matches it. Raise
    OndeImportError, before writing anything, when the file or the UAI is invalid.
    """
    uai = _validated_uai(uai)
    department = _department_for(uai)
    today = today or timezone.localdate()
    levels = tuple(settings.IOTA_LEVELS if levels is None else levels)
    school_name = (school_name or "").strip() or None
    parsed = parse_onde(data, levels=levels, today=today)
    logger.info(
        "ONDE import for UAI %s started: %d lines, dry run %s.",
        uai,
        parsed.line_count,
        dry_run,
    )
    with transaction.atomic():
        plan = _ImportPlan(parsed, today=today)
        plan.build(uai=uai, school_name=school_name, department=department)
        report = plan.report(dry_run=dry_run)
        if (
            expected_fingerprint is not None
            and report.fingerprint != expected_fingerprint
        ):
            raise ImportChangedError(
                _(
                    "Les élèves de l'école ont changé depuis l'aperçu, sans doute à "
                    "cause d'un autre import. Vérifiez le nouvel aperçu, puis "
                    "confirmez à nouveau."
                )
            )
        if not dry_run:
            plan.apply()
            report.school_id = plan.school.pk
    logger.info(
        "ONDE import for school %s (UAI %s) finished, dry run %s: %s.",
        report.school_id,
        uai,
        dry_run,
        ", ".join(f"{count} {name}" for name, count in report.counts.items()),
    )
    return report


def _validated_uai(uai: str) -> str:
    try:
        validate_uai(uai)
    except ValidationError as error:
        raise OndeImportError(" ".join(error.messages)) from None
    return normalize_uai(uai)


def _department_for(uai: str) -> DepartmentEntry:
    department = find_department(uai_department(uai))
    if department is None:
        raise OndeImportError(
            _(
                "Le code UAI « %(uai)s » commence par « %(prefix)s », qui n'est ni "
                "un département ni un territoire d'outre-mer connu. Vérifiez le "
                "code dans l'annuaire de l'Éducation nationale."
            )
            % {"uai": uai, "prefix": uai[:3]}
        )
    return department


class _ImportPlan:
    """Every write an import would make, computed before any of them."""

    def __init__(self, parsed: OndeFile, *, today: date) -> None:
        self.parsed = parsed
        self.today = today
        self.now = timezone.now()
        self.school_created = False
        self.school_renamed = False
        self.academie_created = False
        self.school_year_created = False
        self.classes: dict[str, Classroom] = {}
        self.new_classes: list[Classroom] = []
        self.relevelled_classes: list[Classroom] = []
        self.new_pupils: list[PupilState] = []
        self.changed_pupils: list[PupilState] = []
        self.changes: list[PupilChange] = []
        self.warnings: list[LineIssue] = []
        self.unchanged = 0
        # The current pupils, after the import, of each class whose members change.
        self.class_members: dict[ClassKey, list[PupilState]] = {}

    def build(
        self, *, uai: str, school_name: str | None, department: DepartmentEntry
    ) -> None:
        school = (
            School.objects.select_for_update()
            .select_related("academie")
            .filter(uai=uai)
            .first()
        )
        if school is None:
            school = self._new_school(uai, school_name, department)
        elif school_name and school_name != school.name:
            school.name = school_name
            self.school_renamed = True
        self.school = school
        self.school_year = self._school_year()
        self._plan_classes()
        self._plan_pupils()

    def _new_school(
        self, uai: str, school_name: str | None, department: DepartmentEntry
    ) -> School:
        entry = department.academie
        academie = Academie.objects.filter(code=entry.code).first()
        if academie is None:
            academie = Academie(
                code=entry.code,
                name=entry.name,
                time_zone=entry.time_zone,
                holiday_zone=entry.holiday_zone,
            )
            self.academie_created = True
        self.school_created = True
        name = school_name or _("École %(uai)s") % {"uai": uai}
        return School(uai=uai, name=name, academie=academie)

    def _school_year(self) -> SchoolYear:
        label, starts_on, ends_on = school_year_dates(self.today)
        year = SchoolYear.objects.filter(label=label).first()
        if year is None:
            year = SchoolYear(label=label, starts_on=starts_on, ends_on=ends_on)
            self.school_year_created = True
        return year

    def _plan_classes(self) -> None:
        if self.school.pk is not None and self.school_year.pk is not None:
            self.classes = {
                classroom.label: classroom
                for classroom in Classroom.objects.filter(
                    school=self.school, school_year=self.school_year
                )
            }
        levels: dict[str, set[str]] = defaultdict(set)
        for row in self.parsed.rows:
            levels[row.class_label].add(row.level)
        # A class keeps all its levels (CE2-CM1) even when only some are imported.
        for skipped in self.parsed.skipped:
            if skipped.class_label in levels:
                levels[skipped.class_label].add(skipped.level)
        for label, class_levels in levels.items():
            ordered = sorted(class_levels, key=LEVEL_ORDER.__getitem__)
            classroom = self.classes.get(label)
            if classroom is None:
                classroom = Classroom(
                    school=self.school,
                    school_year=self.school_year,
                    label=label,
                    levels=ordered,
                )
                self.classes[label] = classroom
                self.new_classes.append(classroom)
            elif classroom.levels != ordered:
                classroom.levels = ordered
                self.relevelled_classes.append(classroom)
        _assign_class_codes(self.new_classes)

    def class_key(self, label: str) -> ClassKey:
        classroom = self.classes[label]
        if classroom.pk is None:
            return ("new", label)
        return ("saved", classroom.pk)

    def _plan_pupils(self) -> None:
        school_pupils: list[PupilState] = []
        if self.school.pk is not None:
            pupils = Pupil.objects.filter(school=self.school)
            school_pupils = list(load_states(pupils.values_list(*STATE_COLUMNS)))
        by_hash = {pupil.ine_hash: pupil for pupil in school_pupils}
        hash_normalized = _ine_hasher()
        hashed = [(row, hash_normalized(row.ine)) for row in self.parsed.rows]
        elsewhere = _load_pupils_elsewhere(
            [ine_hash for _row, ine_hash in hashed if ine_hash not in by_hash],
            self.school,
        )
        # Pupils who come from another school leave classmates behind, whose
        # display names may change too.
        old_classes = [
            int(pupil.class_key[1])
            for pupil in elsewhere.values()
            if pupil.class_key is not None
        ]
        left_behind = _load_class_members(old_classes, exclude=set(elsewhere))
        affected = self._plan_listed_pupils(hashed, by_hash, elsewhere)
        affected |= self._plan_leavers(school_pupils, {h for _row, h in hashed})
        affected.update(("saved", class_id) for class_id in old_classes)
        self._plan_class_members(
            [*school_pupils, *self.new_pupils, *elsewhere.values(), *left_behind],
            affected,
        )

    def _plan_listed_pupils(
        self,
        hashed: list[tuple[PupilRow, str]],
        by_hash: dict[str, PupilState],
        elsewhere: dict[str, PupilState],
    ) -> set[ClassKey]:
        """Plan the pupils of the file; return the classes whose members change."""
        labels = {row.class_label for row, _ine_hash in hashed}
        keys = {label: self.class_key(label) for label in labels}
        affected: set[ClassKey] = set(keys.values())
        for row, ine_hash in hashed:
            key = keys[row.class_label]
            pupil = by_hash.get(ine_hash)
            if pupil is None and ine_hash in elsewhere:
                pupil = elsewhere[ine_hash]
                self.warnings.append(
                    LineIssue(
                        row.line,
                        "",
                        _(
                            "Cet élève était inscrit dans une autre école : il est "
                            "transféré dans celle-ci."
                        ),
                    )
                )
            if pupil is None:
                self._plan_new_pupil(row, ine_hash, key)
                continue
            if pupil.class_key is not None:
                affected.add(pupil.class_key)
            self._plan_listed_pupil(pupil, row, key)
        return affected

    def _plan_new_pupil(self, row: PupilRow, ine_hash: str, key: ClassKey) -> None:
        # Positional arguments, in field order: keyword arguments double the cost of
        # building these two records, which a national import does 100,000 times.
        pupil = PupilState(
            None,  # pk
            ine_hash,
            None,  # school_id
            key,
            row.class_label,
            row.last_name,
            row.first_name,
            row.level,
            row.birth_month,
            "",  # display_name
            None,  # left_on
        )
        self.new_pupils.append(pupil)
        change = PupilChange(
            ChangeKind.CREATED,
            row.first_name,
            row.last_name,
            row.line,
            "",  # class_before
            row.class_label,
        )
        self.changes.append(change)

    def _plan_leavers(
        self, school_pupils: list[PupilState], listed: set[str]
    ) -> set[ClassKey]:
        """Mark as left the school's pupils the file no longer lists.

        Pupils on rejected lines are still listed, so they stay. Return the classes
        they leave.
        """
        hash_normalized = _ine_hasher()
        kept = listed | {hash_normalized(ine) for ine in self.parsed.rejected_ines}
        affected: set[ClassKey] = set()
        for pupil in school_pupils:
            if pupil.ine_hash in kept or pupil.left_on is not None:
                continue
            pupil.left_on = self.today
            pupil.dirty.update(("left_on", "updated_at"))
            self.changed_pupils.append(pupil)
            self._record(ChangeKind.LEFT, pupil, None, pupil.class_label, ())
            if pupil.class_key is not None:
                affected.add(pupil.class_key)
        return affected

    def _plan_listed_pupil(
        self, pupil: PupilState, row: PupilRow, key: ClassKey
    ) -> None:
        changed = tuple(
            name for name in PUPIL_FIELDS if getattr(pupil, name) != getattr(row, name)
        )
        moved = pupil.class_key != key or pupil.school_id != self.school.pk
        returned = pupil.left_on is not None
        if not (changed or moved or returned):
            self.unchanged += 1
            return
        if returned:
            kind = ChangeKind.RETURNED
        elif moved:
            kind = ChangeKind.MOVED
        else:
            kind = ChangeKind.UPDATED
        old_label = pupil.class_label
        for name in changed:
            setattr(pupil, name, getattr(row, name))
        pupil.class_key = key
        pupil.class_label = row.class_label
        pupil.left_on = None
        pupil.dirty.update(changed)
        pupil.dirty.add("updated_at")
        if moved:
            pupil.dirty.update(("classroom", "school"))
        if returned:
            pupil.dirty.add("left_on")
        self.changed_pupils.append(pupil)
        self._record(kind, pupil, row.line, old_label, changed)

    def _record(
        self,
        kind: ChangeKind,
        pupil: PupilState,
        line: int | None,
        class_before: str,
        fields: tuple[str, ...],
    ) -> None:
        self.changes.append(
            PupilChange(
                kind=kind,
                first_name=pupil.first_name,
                last_name=pupil.last_name,
                line=line,
                class_before=class_before,
                class_after="" if kind == ChangeKind.LEFT else pupil.class_label,
                fields=fields,
            )
        )

    def _plan_class_members(
        self, pupils: Iterable[PupilState], affected: set[ClassKey]
    ) -> None:
        members: dict[ClassKey, list[PupilState]] = defaultdict(list)
        for pupil in pupils:
            key = pupil.class_key
            if pupil.left_on is None and key is not None and key in affected:
                members[key].append(pupil)
        self.class_members = dict(members)

    def _named_new_pupils(self) -> Iterator[PupilState]:
        """Compute display names class by class, yielding each class's new pupils.

        Names are computed while writing rather than while planning, because no
        part of the report depends on them: on PostgreSQL the server then stores
        one class's new pupils while this computes the next class's names. Saved
        pupils whose name changes join `changed_pupils`.
        """
        for group in self.class_members.values():
            before = [pupil.display_name for pupil in group]
            compute_display_names(group)
            for pupil, old_name in zip(group, before, strict=True):
                if pupil.pk is None:
                    yield pupil
                elif pupil.display_name != old_name:
                    if not pupil.dirty:
                        self.changed_pupils.append(pupil)
                    pupil.dirty.add("display_name")

    def report(self, *, dry_run: bool) -> ImportReport:
        counts = dict.fromkeys(COUNT_NAMES, 0)
        for change in self.changes:
            counts[change.kind.value] += 1
        counts["unchanged"] = self.unchanged
        counts["skipped"] = len(self.parsed.skipped)
        counts["rejected"] = len({issue.line for issue in self.parsed.rejections})
        labels = dict.fromkeys(row.class_label for row in self.parsed.rows)
        classes = [
            ClassSummary(
                label=label,
                levels=tuple(self.classes[label].levels),
                created=self.classes[label].pk is None,
                pupil_count=len(self.class_members.get(self.class_key(label), ())),
            )
            for label in labels
        ]
        return ImportReport(
            uai=self.school.uai,
            school_name=self.school.name,
            school_created=self.school_created,
            academie=self.school.academie.name,
            school_year=self.school_year.label,
            dry_run=dry_run,
            encoding=self.parsed.encoding,
            delimiter=self.parsed.delimiter,
            line_count=self.parsed.line_count,
            **counts,
            classes=classes,
            changes=self.changes,
            skipped_lines=list(self.parsed.skipped),
            rejections=list(self.parsed.rejections),
            warnings=[*self.parsed.warnings, *self.warnings],
        )

    def apply(self) -> None:
        if self.academie_created:
            self.school.academie.save()
        if self.school_created:
            self.school.save()
        elif self.school_renamed:
            self.school.save(update_fields=["name"])
        if self.school_year_created:
            self.school_year.save()
        insert_classes(self.new_classes)
        if self.relevelled_classes:
            Classroom.objects.bulk_update(
                self.relevelled_classes, ["levels"], batch_size=BATCH_SIZE
            )
        class_ids = {label: room.pk for label, room in self.classes.items()}
        inserted = insert_pupils(
            self._named_new_pupils(), self.school.pk, class_ids, self.now
        )
        if inserted != len(self.new_pupils):
            # Every new pupil is in a class of the file, so this is a bug; the
            # transaction rolls back.
            raise RuntimeError(
                f"ONDE import inserted {inserted} of {len(self.new_pupils)} new pupils."
            )
        update_pupils(self.changed_pupils, self.school.pk, class_ids, self.now)


def _chunks(values: Sequence[str] | Sequence[int]) -> Iterator[list]:
    size = min(connection.features.max_query_params or 10_000, 10_000) - 10
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def _load_pupils_elsewhere(hashes: list[str], school: School) -> dict[str, PupilState]:
    """Return pupils of other schools with one of these INE hashes, by hash."""
    if not hashes:
        return {}
    conditions: Iterable[Q | RawSQL]
    if connection.vendor == "postgresql":
        # One text parameter split by the server: psycopg takes seconds to
        # interpolate the thousands of placeholders that `__in` writes for a
        # 100,000-pupil file, and most of a second to adapt a list of that size as
        # an array. Hashes are hexadecimal, so they contain no comma.
        column = f"{connection.ops.quote_name(Pupil._meta.db_table)}.ine_hash"
        conditions = [
            # The SQL is built from the table name only; the hashes are a parameter.
            RawSQL(  # noqa: S611
                f"{column} = ANY(string_to_array(%s, ','))",
                (",".join(hashes),),
                output_field=BooleanField(),
            )
        ]
    else:
        conditions = (Q(ine_hash__in=chunk) for chunk in _chunks(hashes))
    found: dict[str, PupilState] = {}
    for condition in conditions:
        pupils = Pupil.objects.filter(condition)
        if school.pk is not None:
            pupils = pupils.exclude(school=school)
        found.update(
            (state.ine_hash, state)
            for state in load_states(pupils.values_list(*STATE_COLUMNS))
        )
    return found


def _load_class_members(class_ids: list[int], *, exclude: set[str]) -> list[PupilState]:
    """Return the current pupils of these classes, except those hashed in `exclude`."""
    members: list[PupilState] = []
    for chunk in _chunks(sorted(set(class_ids))):
        pupils = Pupil.objects.filter(classroom_id__in=chunk, left_on__isnull=True)
        members.extend(
            state
            for state in load_states(pupils.values_list(*STATE_COLUMNS))
            if state.ine_hash not in exclude
        )
    return members


def _assign_class_codes(classes: list[Classroom]) -> None:
    """Give each class a random sign-in code that no other class has."""
    pending = list(classes)
    while pending:
        candidates: dict[str, Classroom] = {}
        for classroom, code in zip(
            pending, _random_class_codes(len(pending)), strict=True
        ):
            while code in candidates:
                code = _random_class_codes(1)[0]
            candidates[code] = classroom
        taken: set[str] = set()
        for chunk in _chunks(list(candidates)):
            taken.update(
                Classroom.objects.filter(code__in=chunk).values_list("code", flat=True)
            )
        pending = []
        for code, classroom in candidates.items():
            if code in taken:
                pending.append(classroom)
            else:
                classroom.code = code


# Bytes from this value up are dropped, so that every letter is equally likely: it is
# the largest multiple of the alphabet's size that a byte can hold.
_CODE_BYTE_LIMIT = 256 - 256 % len(CLASS_CODE_ALPHABET)


def _random_class_codes(count: int) -> list[str]:
    """Return `count` random class codes.

    The letters come from one read of the system's random source: for the 4,000
    classes of a national import that is seven times faster than secrets.choice,
    which reads the source once per letter.
    """
    needed = count * CLASS_CODE_LENGTH
    size = len(CLASS_CODE_ALPHABET)
    letters: list[str] = []
    while len(letters) < needed:
        letters.extend(
            CLASS_CODE_ALPHABET[byte % size]
            for byte in secrets.token_bytes(needed)
            if byte < _CODE_BYTE_LIMIT
        )
    return [
        "".join(letters[start : start + CLASS_CODE_LENGTH])
        for start in range(0, needed, CLASS_CODE_LENGTH)
    ]
