"""Pages of a study: its design, the consent of each class, and the quality flags.

Coordinators set up studies, arms and draws, and see every flag with the pupil's
name. A teacher records the consent of their own classes and sees no flag. A
researcher sees the design, consent counts and the flags of the research sample,
under pseudonyms only.
"""

import logging
from collections import Counter
from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Role, User
from assessment.instruments import skill_label
from iota.permissions import (
    ADULT_ROLES,
    STAFF_ROLES,
    classes_visible_to,
    get_visible_classroom,
    may_see_names,
    role_required,
)
from schools.display_names import sorted_by_display_name
from schools.models import Classroom
from studies.consent_csv import ConsentImportError, import_consent_csv
from studies.forms import (
    AssignmentForm,
    ClassArmForm,
    ConsentImportForm,
    StudyForm,
    StudySettingsForm,
)
from studies.models import ClassArm, ConsentChange, ConsentSource, ConsentStatus, Study
from studies.pseudonyms import pupil_pseudonym
from studies.quality import RULE_LABELS, RULES, count_by_rule, quality_flags
from studies.services import (
    StudyError,
    assign_at_random,
    consent_statuses,
    create_study,
    record_consents,
    research_pupils,
    set_class_arm,
    studies_visible_to,
    study_pupils,
)

logger = logging.getLogger(__name__)

CONSENT_ROLES = (Role.TEACHER, Role.COORDINATOR, Role.ADMINISTRATOR)
QUALITY_ROLES = (Role.COORDINATOR, Role.ADMINISTRATOR, Role.RESEARCHER)
# The consent page shows this many of the class's latest consent changes.
HISTORY_ROWS = 50


def _user(request: HttpRequest) -> User:
    # role_required has already sent anonymous visitors to the sign-in page.
    return cast(User, request.user)


def _visible_study(user: User, pk: int) -> Study:
    return get_object_or_404(studies_visible_to(user), pk=pk)


def _study_classroom(user: User, study: Study, class_pk: int) -> Classroom:
    """Return the class `class_pk` if `user` may see it and the study measures it."""
    classroom = get_visible_classroom(user, class_pk)
    if not study.campaign.classes.filter(pk=classroom.pk).exists():
        raise Http404
    return classroom


# Studies.


@require_GET
@role_required(*ADULT_ROLES)
def study_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "studies/study_list.html",
        {
            "studies": studies_visible_to(user),
            "may_create": user.is_superuser or user.role in STAFF_ROLES,
        },
    )


@role_required(*STAFF_ROLES)
def study_create(request: HttpRequest) -> HttpResponse:
    form = StudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            study = create_study(
                name=form.cleaned_data["name"],
                campaign=form.cleaned_data["campaign"],
                created_by=_user(request),
                long_string_share=form.cleaned_data["long_string_share"],
                min_seconds_per_item=form.cleaned_data["min_seconds_per_item"],
            )
        except StudyError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("L’étude est créée."))
            return redirect("studies:study-detail", study_pk=study.pk)
    return render(
        request, "studies/study_form.html", {"form": form, "title": _("Nouvelle étude")}
    )


@role_required(*STAFF_ROLES)
def study_settings(request: HttpRequest, study_pk: int) -> HttpResponse:
    study = _visible_study(_user(request), study_pk)
    form = StudySettingsForm(request.POST or None, instance=study)
    if request.method == "POST" and form.is_valid():
        form.save()
        logger.info(
            "Quality thresholds of study %s changed by user %s.",
            study.pk,
            request.user.pk,
        )
        messages.success(request, _("Les réglages de l’étude sont enregistrés."))
        return redirect("studies:study-detail", study_pk=study.pk)
    return render(
        request,
        "studies/study_form.html",
        {"form": form, "study": study, "title": _("Réglages de l’étude")},
    )


@require_GET
@role_required(*ADULT_ROLES)
def study_detail(request: HttpRequest, study_pk: int) -> HttpResponse:
    user = _user(request)
    study = _visible_study(user, study_pk)
    classes = list(
        classes_visible_to(user)
        .filter(campaigns=study.campaign_id)
        .select_related("school__academie")
        .order_by("school__academie__name", "school__name", "label")
    )
    arms = {
        arm.classroom_id: arm
        for arm in ClassArm.objects.filter(
            study=study, classroom__in=classes
        ).select_related("run")
    }
    pupils = study_pupils(study).filter(classroom__in=classes, left_on__isnull=True)
    class_of = dict(pupils.values_list("pk", "classroom_id"))
    consent_counts: Counter[tuple[int, str]] = Counter(
        (class_of[pupil_id], status)
        for pupil_id, status in consent_statuses(study, class_of).items()
    )
    rows = [
        {
            "classroom": classroom,
            "arm": arms.get(classroom.pk),
            "given": consent_counts[(classroom.pk, ConsentStatus.GIVEN)],
            "refused": consent_counts[(classroom.pk, ConsentStatus.REFUSED)],
            "unknown": consent_counts[(classroom.pk, ConsentStatus.UNKNOWN)],
        }
        for classroom in classes
    ]
    is_staff = user.is_superuser or user.role in STAFF_ROLES
    return render(
        request,
        "studies/study_detail.html",
        {
            "study": study,
            "rows": rows,
            "runs": study.assignment_runs.select_related("performed_by")
            if is_staff or user.role == Role.RESEARCHER
            else [],
            "is_staff": is_staff,
            "may_record_consent": user.is_superuser or user.role in CONSENT_ROLES,
            "may_see_quality": user.is_superuser or user.role in QUALITY_ROLES,
            "arm_form": ClassArmForm(),
        },
    )


# Arms.


@require_POST
@role_required(*STAFF_ROLES)
def class_arm(request: HttpRequest, study_pk: int, class_pk: int) -> HttpResponse:
    user = _user(request)
    study = _visible_study(user, study_pk)
    classroom = _study_classroom(user, study, class_pk)
    form = ClassArmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez programme ou comparaison."))
        return redirect("studies:study-detail", study_pk=study.pk)
    try:
        set_class_arm(
            study,
            classroom,
            form.cleaned_data["arm"],
            user=user,
            force=form.cleaned_data["force"],
        )
    except StudyError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Le groupe de la classe « %(label)s » est enregistré.")
            % {"label": classroom.label},
        )
    return redirect("studies:study-detail", study_pk=study.pk)


@role_required(*STAFF_ROLES)
def assign(request: HttpRequest, study_pk: int) -> HttpResponse:
    user = _user(request)
    study = _visible_study(user, study_pk)
    form = AssignmentForm(request.POST or None, study=study)
    if request.method == "POST" and form.is_valid():
        try:
            run = assign_at_random(
                study,
                form.cleaned_data["classes"],
                stratify_by=form.cleaned_data["stratify_by"],
                seed=form.cleaned_data["seed"],
                user=user,
                force=form.cleaned_data["force"],
            )
        except StudyError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Tirage enregistré avec la graine %(seed)s.") % {"seed": run.seed},
            )
            return redirect("studies:study-detail", study_pk=study.pk)
    return render(request, "studies/assign.html", {"study": study, "form": form})


# Consent.


@role_required(*CONSENT_ROLES)
def consent_class(request: HttpRequest, study_pk: int, class_pk: int) -> HttpResponse:
    user = _user(request)
    study = _visible_study(user, study_pk)
    classroom = _study_classroom(user, study, class_pk)
    pupils = sorted_by_display_name(
        study_pupils(study).filter(classroom=classroom, left_on__isnull=True)
    )
    statuses = consent_statuses(study, [pupil.pk for pupil in pupils])
    if request.method == "POST":
        posted = {
            pupil.pk: request.POST.get(f"consent-{pupil.pk}", statuses[pupil.pk])
            for pupil in pupils
        }
        try:
            changed = record_consents(study, posted, user=user)
        except StudyError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(count)d consentement(s) modifié(s).") % {"count": changed},
            )
        return redirect(
            "studies:consent-class", study_pk=study.pk, class_pk=classroom.pk
        )
    history = (
        ConsentChange.objects.filter(study=study, pupil__classroom=classroom)
        .select_related("pupil", "changed_by")
        .order_by("-changed_at", "-pk")[:HISTORY_ROWS]
    )
    return render(
        request,
        "studies/consent_class.html",
        {
            "study": study,
            "classroom": classroom,
            "rows": [(pupil, statuses[pupil.pk]) for pupil in pupils],
            "choices": ConsentStatus.choices,
            "history": history,
        },
    )


@require_POST
@role_required(*CONSENT_ROLES)
def consent_bulk(request: HttpRequest, study_pk: int, class_pk: int) -> HttpResponse:
    """Record "given" for the pupils ticked on the class's consent page."""
    user = _user(request)
    study = _visible_study(user, study_pk)
    classroom = _study_classroom(user, study, class_pk)
    in_class = set(
        study_pupils(study)
        .filter(classroom=classroom, left_on__isnull=True)
        .values_list("pk", flat=True)
    )
    ticked = {int(value) for value in request.POST.getlist("pupils") if value.isdigit()}
    if not ticked or not ticked <= in_class:
        messages.error(request, _("Cochez au moins un élève de la classe."))
    else:
        changed = record_consents(
            study,
            dict.fromkeys(ticked, ConsentStatus.GIVEN),
            user=user,
            source=ConsentSource.BULK,
        )
        messages.success(
            request, _("%(count)d consentement(s) modifié(s).") % {"count": changed}
        )
    return redirect("studies:consent-class", study_pk=study.pk, class_pk=classroom.pk)


@role_required(*CONSENT_ROLES)
def consent_import(request: HttpRequest, study_pk: int, class_pk: int) -> HttpResponse:
    user = _user(request)
    study = _visible_study(user, study_pk)
    classroom = _study_classroom(user, study, class_pk)
    form = ConsentImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = import_consent_csv(
                study, classroom, form.cleaned_data["file"].read(), user=user
            )
        except ConsentImportError as error:
            problems = error.problems
        else:
            messages.success(
                request,
                _("%(lines)d ligne(s) lue(s), %(changed)d consentement(s) modifié(s).")
                % {"lines": result.lines, "changed": result.changed},
            )
            return redirect(
                "studies:consent-class", study_pk=study.pk, class_pk=classroom.pk
            )
    return render(
        request,
        "studies/consent_import.html",
        {"study": study, "classroom": classroom, "form": form, "problems": problems},
    )


# Quality.


@require_GET
@role_required(*QUALITY_ROLES)
def quality(request: HttpRequest, study_pk: int) -> HttpResponse:
    """List the quality flags, filtered by wave, class and rule, with counts per rule.

    Researchers see only the research sample's flags, under pseudonyms.
    """
    user = _user(request)
    study = _visible_study(user, study_pk)
    waves = list(study.campaign.waves.all())
    classes = list(
        study.campaign.classes.select_related("school").order_by(
            "school__name", "label"
        )
    )
    wave = next((w for w in waves if str(w.pk) == request.GET.get("wave")), None)
    class_id = next(
        (c.pk for c in classes if str(c.pk) == request.GET.get("classroom")), None
    )
    rule = request.GET.get("rule") if request.GET.get("rule") in RULES else None

    flags = quality_flags(study, wave)
    names = may_see_names(user)
    if not names:
        sample = set(research_pupils(study).values_list("pk", flat=True))
        flags = [flag for flag in flags if flag.pupil_id in sample]
    if class_id is not None:
        flags = [flag for flag in flags if flag.classroom_id == class_id]
    counts = count_by_rule(flags)
    if rule is not None:
        flags = [flag for flag in flags if flag.rule == rule]

    pupils = study_pupils(study).filter(pk__in={flag.pupil_id for flag in flags})
    if names:
        labels = dict(pupils.values_list("pk", "display_name"))
    else:
        labels = {
            pk: pupil_pseudonym(ine) for pk, ine in pupils.values_list("pk", "ine_hash")
        }
    class_labels = {
        classroom.pk: f"{classroom.label} · {classroom.school.name}"
        for classroom in classes
    }
    return render(
        request,
        "studies/quality.html",
        {
            "study": study,
            "waves": waves,
            "classes": classes,
            "rules": [(key, RULE_LABELS[key]) for key in RULES],
            "selected": {
                "wave": wave.pk if wave else None,
                "classroom": class_id,
                "rule": rule,
            },
            "counts": counts,
            "rows": [
                {
                    "flag": flag,
                    "pupil": labels.get(flag.pupil_id, ""),
                    "scale": skill_label(flag.scale) if flag.scale else "",
                    "classroom": class_labels.get(flag.classroom_id or 0, ""),
                }
                for flag in flags
            ],
            "names": names,
        },
    )
