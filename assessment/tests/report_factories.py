"""Rows for the scoring and report tests, created directly in the database."""

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

from django.utils import timezone

from assessment.models import Answer, Campaign, Instrument, Response, Wave
from schools.models import Classroom, Pupil

ITEMS = ("P1", "P2", "P3", "P4")
REVERSE = ("P3",)


def make_definition(
    items: Sequence[str] = ITEMS,
    reverse: Sequence[str] = REVERSE,
    points: int = 4,
    min_answered: float = 0.75,
) -> dict:
    """A stored instrument definition of one scale over `items`."""
    return {
        "schema_version": 1,
        "key": "perseverance-test",
        "version": "0.1.0",
        "skill": "perseverance",
        "validated": False,
        "title": {"fr": "Questionnaire de test"},
        "instructions": {"fr": "Lis chaque phrase."},
        "response_format": {
            "points": points,
            "labels": [{"fr": f"Point {p}"} for p in range(1, points + 1)],
            "pictograms": [f"circle-{p}" for p in range(1, points + 1)],
            "allow_skip": True,
        },
        "items": [
            {"key": key, "text": {"fr": f"Phrase {key}"}, "reverse": key in reverse}
            for key in items
        ],
        "scales": [
            {
                "key": "perseverance",
                "title": {"fr": "Persévérance"},
                "items": list(items),
                "scoring": {"method": "mean", "min_answered": min_answered},
            }
        ],
    }


def make_instrument(definition: dict | None = None) -> Instrument:
    definition = definition or make_definition()
    return Instrument.objects.create(
        key=definition["key"],
        version=definition["version"],
        schema_version=1,
        title=definition["title"]["fr"],
        skill=definition["skill"],
        definition=definition,
    )


def make_wave(
    instrument: Instrument, school_year, classes: Sequence[Classroom], label="T1"
) -> Wave:
    campaign = Campaign.objects.create(
        name="Campagne de test", instrument=instrument, school_year=school_year
    )
    campaign.classes.set(classes)
    return Wave.objects.create(
        campaign=campaign,
        label=label,
        opens_on=dt.date(2026, 10, 1),
        closes_on=dt.date(2026, 10, 20),
    )


def make_pupils(classroom: Classroom, first_names: Sequence[str]) -> list[Pupil]:
    pupils = []
    for index, first_name in enumerate(first_names):
        pupils.append(
            Pupil.objects.create(
                school=classroom.school,
                classroom=classroom,
                ine_hash=f"{classroom.code}-{index}-{uuid.uuid4().hex}",
                last_name="Test",
                first_name=first_name,
                display_name=first_name,
                level="CM1",
                birth_month=dt.date(2016, 5, 1),
            )
        )
    return pupils


def add_response(
    wave: Wave,
    pupil: Pupil,
    values: Mapping[str, int | None],
    *,
    completed: bool = True,
    simulated: bool = False,
) -> Response:
    """A response with one Answer per key of `values` (None is a skipped item)."""
    now = timezone.now()
    response = Response.objects.create(
        wave=wave,
        pupil=pupil,
        completed_at=now if completed else None,
        answer_changes=len(values),
        is_simulated=simulated,
    )
    Answer.objects.bulk_create(
        Answer(
            response=response,
            item=item,
            value=value,
            client_key=uuid.uuid4(),
            answered_at=now,
        )
        for item, value in values.items()
    )
    return response
