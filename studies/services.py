"""Study design and consent: the changes the study pages ask for, and the sample.

Random assignment is stratified: the volunteer classes are grouped by académie or by
school, and each stratum is shuffled and split in half. The `AssignmentRun` records
the seed, so anyone with the seed and the class ids draws the same arms again
(`draw_arms`). Arms are not redrawn for classes whose pupils have answered the
campaign unless the coordinator forces it, and a forced draw is marked and logged.

Consent is recorded per study and pupil by the class's teachers or the coordination;
each change adds an audit row. `research_pupils` is the one definition of the pupils
whose data may enter research figures and exports.
"""

import datetime as dt
import logging
import random
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from assessment.models import Campaign, Response
from iota.errors import RuleError
from iota.permissions import sees_every_class
from schools.models import Classroom, Pupil
from studies.models import (
    DEFAULT_LONG_STRING_SHARE,
    DEFAULT_MIN_SECONDS_PER_ITEM,
    Arm,
    AssignmentMethod,
    AssignmentRun,
    ClassArm,
    Consent,
    ConsentChange,
    ConsentSource,
    ConsentStatus,
    Stratification,
    Study,
)

logger = logging.getLogger(__name__)

# Seeds drawn by the platform stay below 2**31, short enough to read out or type.
SEED_LIMIT = 2**31


class StudyError(RuleError):
    """A request the study rules reject."""


class AssignmentLockedError(StudyError):
    code = "has_data"


# Visibility.


def studies_visible_to(user: User) -> QuerySet[Study]:
    """Return the studies `user` may open; a teacher sees those with their classes."""
    studies = Study.objects.select_related("campaign__instrument")
    if sees_every_class(user):
        return studies.all()
    if user.role == Role.TEACHER:
        return studies.filter(campaign__classes__teachers=user).distinct()
    return studies.none()


# Studies and their arms.


def create_study(
    *,
    name: str,
    campaign: Campaign,
    created_by: User | None,
    long_string_share: float = DEFAULT_LONG_STRING_SHARE,
    min_seconds_per_item: float = DEFAULT_MIN_SECONDS_PER_ITEM,
) -> Study:
    """Create the study of `campaign`; a campaign has at most one study."""
    if Study.objects.filter(campaign=campaign).exists():
        raise StudyError(
            _(
                "La campagne « %(campaign)s » a déjà une étude. Ouvrez-la plutôt "
                "que d’en créer une autre."
            )
            % {"campaign": campaign.name},
            code="campaign_has_study",
        )
    study = Study.objects.create(
        name=name,
        campaign=campaign,
        created_by=created_by,
        long_string_share=long_string_share,
        min_seconds_per_item=min_seconds_per_item,
    )
    logger.info(
        "Study %s created for campaign %s by user %s.",
        study.pk,
        campaign.pk,
        created_by.pk if created_by else None,
    )
    return study


def _check_in_campaign(study: Study, classes: Sequence[Classroom]) -> None:
    measured = set(
        study.campaign.classes.filter(
            pk__in=[classroom.pk for classroom in classes]
        ).values_list("pk", flat=True)
    )
    for classroom in classes:
        if classroom.pk not in measured:
            raise StudyError(
                _(
                    "La classe « %(label)s » ne fait pas partie de la campagne "
                    "« %(campaign)s ». Ajoutez-la à la campagne d’abord."
                )
                % {"label": classroom.label, "campaign": study.campaign.name},
                code="class_not_in_campaign",
            )


def classes_with_answers(study: Study, classes: Iterable[Classroom]) -> list[int]:
    """Return the ids of `classes` whose pupils have a response in the campaign."""
    return sorted(
        set(
            Response.objects.filter(
                wave__campaign=study.campaign_id,
                pupil__classroom__in=[classroom.pk for classroom in classes],
            ).values_list("pupil__classroom_id", flat=True)
        )
    )


def _check_not_locked(
    study: Study, reassigned: Sequence[Classroom], force: bool
) -> list[int]:
    """Raise AssignmentLockedError when a class to reassign has answers."""
    locked = classes_with_answers(study, reassigned)
    if locked and not force:
        labels = ", ".join(
            classroom.label for classroom in reassigned if classroom.pk in locked
        )
        raise AssignmentLockedError(
            _(
                "Des élèves ont déjà répondu dans ces classes : %(labels)s. Changer "
                "leur groupe fausserait l’analyse ; cochez « forcer » seulement si "
                "l’affectation était une erreur."
            )
            % {"labels": labels}
        )
    return locked


def set_class_arm(
    study: Study,
    classroom: Classroom,
    arm: str,
    *,
    user: User,
    force: bool = False,
) -> ClassArm:
    """Put `classroom` in `arm` by the coordination's choice.

    Raise AssignmentLockedError when this changes the arm of a class whose pupils
    have answered the campaign, unless `force`.
    """
    if arm not in Arm.values:
        raise StudyError(
            _("Groupe « %(arm)s » inconnu : choisissez programme ou comparaison.")
            % {"arm": arm}
        )
    _check_in_campaign(study, [classroom])
    current = ClassArm.objects.filter(study=study, classroom=classroom).first()
    locked: list[int] = []
    if current is not None and current.arm != arm:
        locked = _check_not_locked(study, [classroom], force)
    class_arm, _created = ClassArm.objects.update_or_create(
        study=study,
        classroom=classroom,
        defaults={
            "arm": arm,
            "method": AssignmentMethod.CHOSEN,
            "run": None,
            "stratum": "",
            "assigned_by": user,
            "assigned_at": timezone.now(),
        },
    )
    log = logger.warning if locked else logger.info
    log(
        "Class %s set to arm %s in study %s by user %s%s.",
        classroom.pk,
        arm,
        study.pk,
        user.pk,
        " although its pupils had answered (forced)" if locked else "",
    )
    return class_arm


def stratum_of(classroom: Classroom, stratify_by: str) -> str:
    """Return the stratum key of `classroom`: its académie's code or school's UAI."""
    if stratify_by == Stratification.ACADEMIE:
        return classroom.school.academie.code
    if stratify_by == Stratification.SCHOOL:
        return classroom.school.uai
    raise StudyError(
        _("Strate « %(value)s » inconnue : choisissez académie ou école.")
        % {"value": stratify_by}
    )


def draw_arms(
    strata: Mapping[str, Iterable[int]], seed: int
) -> dict[str, list[tuple[int, str]]]:
    """Split each stratum's class ids into programme and comparison, reproducibly.

    Within each stratum, the class ids are sorted, then shuffled by
    `random.Random(f"{seed}:{stratum}")` (Python's Mersenne Twister seeded from the
    string's SHA-512, the same on every platform), so adding a stratum never changes
    the draw of another. The first half of the shuffled list is the programme arm.
    A stratum with an odd number of classes has one class left over: the odd strata,
    taken in sorted key order, give it alternately to the programme and to the
    comparison arm, starting with the arm drawn by `random.Random(f"{seed}:odd")`.
    Each stratum's arms thus differ by at most one class, and so do the totals.

    Returns each stratum's (class id, arm) pairs in shuffled order.
    """
    extra_to_programme = random.Random(f"{seed}:odd").random() < 0.5
    drawn: dict[str, list[tuple[int, str]]] = {}
    for key in sorted(strata):
        ids = sorted(strata[key])
        random.Random(f"{seed}:{key}").shuffle(ids)
        programme_count = len(ids) // 2
        if len(ids) % 2:
            programme_count += extra_to_programme
            extra_to_programme = not extra_to_programme
        drawn[key] = [
            (class_id, Arm.PROGRAMME if index < programme_count else Arm.COMPARISON)
            for index, class_id in enumerate(ids)
        ]
    return drawn


def assign_at_random(
    study: Study,
    classes: Iterable[Classroom],
    *,
    stratify_by: str,
    user: User,
    seed: int | None = None,
    force: bool = False,
) -> AssignmentRun:
    """Draw programme and comparison arms for the volunteer `classes`, by stratum.

    `seed` defaults to a random number below 2**31; the run records it with the
    strata, so `draw_arms` gives the same arms again. Raise AssignmentLockedError
    when a class that already has an arm has pupils who answered the campaign,
    unless `force`; a forced run is marked on the run and logged as a warning.
    """
    classes = list(classes)
    if not classes:
        raise StudyError(_("Choisissez au moins une classe à tirer au sort."))
    if seed is None:
        seed = secrets.randbelow(SEED_LIMIT)
    if not 0 <= seed < 2**63:
        raise StudyError(
            _("La graine %(seed)s doit être un entier positif.") % {"seed": seed}
        )
    _check_in_campaign(study, classes)
    already = set(
        ClassArm.objects.filter(study=study, classroom__in=classes).values_list(
            "classroom_id", flat=True
        )
    )
    reassigned = [classroom for classroom in classes if classroom.pk in already]
    locked = _check_not_locked(study, reassigned, force)

    by_stratum: dict[str, list[int]] = defaultdict(list)
    for classroom in classes:
        by_stratum[stratum_of(classroom, stratify_by)].append(classroom.pk)
    drawn = draw_arms(by_stratum, seed)
    now = timezone.now()
    with transaction.atomic():
        run = AssignmentRun.objects.create(
            study=study,
            seed=seed,
            stratify_by=stratify_by,
            strata={
                key: [class_id for class_id, _arm in rows]
                for key, rows in drawn.items()
            },
            forced=bool(locked),
            performed_by=user,
            performed_at=now,
        )
        for key, rows in drawn.items():
            for class_id, arm in rows:
                ClassArm.objects.update_or_create(
                    study=study,
                    classroom_id=class_id,
                    defaults={
                        "arm": arm,
                        "method": AssignmentMethod.RANDOM,
                        "run": run,
                        "stratum": key,
                        "assigned_by": user,
                        "assigned_at": now,
                    },
                )
    if locked:
        logger.warning(
            "Assignment run %s of study %s forced by user %s over classes with "
            "answers: %s.",
            run.pk,
            study.pk,
            user.pk,
            locked,
        )
    logger.info(
        "Assignment run %s of study %s by user %s: seed %s, %d classes in %d strata "
        "by %s.",
        run.pk,
        study.pk,
        user.pk,
        seed,
        len(classes),
        len(drawn),
        stratify_by,
    )
    return run


# Consent.


def study_pupils(study: Study) -> QuerySet[Pupil]:
    """Return the pupils of the campaign's classes, including those who left."""
    return Pupil.objects.filter(classroom__campaigns=study.campaign_id)


def consent_statuses(study: Study, pupil_ids: Iterable[int]) -> dict[int, str]:
    """Return each pupil's consent status in `study`; without a record, unknown."""
    pupil_ids = list(pupil_ids)
    statuses = dict.fromkeys(pupil_ids, ConsentStatus.UNKNOWN.value)
    statuses.update(
        Consent.objects.filter(study=study, pupil__in=pupil_ids).values_list(
            "pupil_id", "status"
        )
    )
    return statuses


def record_consents(
    study: Study,
    statuses: Mapping[int, str],
    *,
    user: User,
    source: str = ConsentSource.FORM,
    now: dt.datetime | None = None,
) -> int:
    """Record each pupil's consent status in `statuses`; return how many changed.

    Only changes are written: each one updates the pupil's `Consent` and adds a
    `ConsentChange` row naming `user`, `source` and the time. Raise StudyError,
    before writing anything, for an unknown status or a pupil outside the study.
    The caller checks that `user` may record consent for these pupils' classes.
    """
    now = now or timezone.now()
    for pupil_id, status in statuses.items():
        if status not in ConsentStatus.values:
            raise StudyError(
                _(
                    "Consentement « %(status)s » inconnu pour l’élève n° %(pupil)s : "
                    "choisissez donné, refusé ou inconnu."
                )
                % {"status": status, "pupil": pupil_id}
            )
    known = set(
        study_pupils(study).filter(pk__in=list(statuses)).values_list("pk", flat=True)
    )
    outside = sorted(set(statuses) - known)
    if outside:
        raise StudyError(
            _("Élève n° %(pupil)s introuvable dans les classes de cette étude.")
            % {"pupil": outside[0]},
            code="pupil_not_in_study",
        )
    changed = 0
    with transaction.atomic():
        current = {
            consent.pupil_id: consent
            for consent in Consent.objects.select_for_update().filter(
                study=study, pupil__in=list(statuses)
            )
        }
        for pupil_id, status in statuses.items():
            consent = current.get(pupil_id)
            previous = consent.status if consent else ConsentStatus.UNKNOWN
            if previous == status:
                continue
            Consent.objects.update_or_create(
                study=study,
                pupil_id=pupil_id,
                defaults={"status": status, "recorded_by": user, "recorded_at": now},
            )
            ConsentChange.objects.create(
                study=study,
                pupil_id=pupil_id,
                previous_status=previous,
                status=status,
                source=source,
                changed_by=user,
                changed_at=now,
            )
            changed += 1
    logger.info(
        "Consent of %d pupils recorded in study %s by user %s from %s: %d changed.",
        len(statuses),
        study.pk,
        user.pk,
        source,
        changed,
    )
    return changed


def research_pupils(study: Study) -> QuerySet[Pupil]:
    """Return the pupils whose data may enter the study's research figures and exports.

    A pupil is in, and every statistic, report and export of the study must keep only
    these pupils' answers, when all three hold:

    1. the pupil's class (`Pupil.classroom`, kept after the pupil leaves) has a
       programme or comparison arm in the study;
    2. the pupil's consent for the study is "given" (refused and unknown are out,
       and so is a pupil with no consent record);
    3. the pupil has not left, or left on or after the day the campaign's first wave
       opens, or has at least one response in the campaign (data collected before
       leaving stays in). A campaign without waves skips this rule.

    Pupils outside this set may still take part in class; only their data stays
    out. Returns a queryset ordered by pupil id, usable as a subquery
    (`Response.objects.filter(pupil__in=research_pupils(study))`).

    NOTE: rule 1 reads the pupil's current class, so a pupil moved since to a class
    without an arm leaves the sample with the answers given before the move.
    """
    pupils = Pupil.objects.filter(
        classroom__study_arms__study=study,
        consents__study=study,
        consents__status=ConsentStatus.GIVEN,
    )
    first_wave = study.campaign.waves.order_by("opens_on").first()
    if first_wave is not None:
        has_data = Exists(
            Response.objects.filter(
                pupil=OuterRef("pk"), wave__campaign=study.campaign_id
            )
        )
        pupils = pupils.filter(
            Q(left_on__isnull=True) | Q(left_on__gte=first_wave.opens_on) | has_data
        )
    return pupils.order_by("pk")
