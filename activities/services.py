"""Services of the activities app: publish versions, load and dump content folders.

Publishing is idempotent: content equal to the latest published version (same hash)
creates nothing, changed content creates the next version. Whether the content comes
from a file (`iota content load`) or from a form (`save_draft` then `publish_draft`),
it is the same validated model and ends as the same stored version.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.content import (
    ContentError,
    content_hash,
    load_content_file,
    parse_content,
    stored_content,
    write_content_file,
)
from activities.models import Activity, ActivityVersion, Kind, Status, UnfinishedDraft
from activities.schemas import ActivityContent
from iota.yaml_schema import Problem

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


class ContentConflictError(Exception):
    """Content that cannot be stored as given, such as a key reused for another kind."""


def published_version(activity: Activity) -> ActivityVersion | None:
    """Return the latest published version of `activity`, or None before the first."""
    return activity.versions.filter(status=Status.PUBLISHED).order_by("-number").first()


def content_of(version: ActivityVersion) -> ActivityContent:
    """Return the stored content of `version` as a validated model."""
    return parse_content(version.activity.kind, version.content)


@dataclass(frozen=True)
class PublishOutcome:
    activity: Activity
    version: ActivityVersion
    created: bool  # False when the content equals the latest published version


@transaction.atomic
def publish_content(
    content: ActivityContent, user: "User | None" = None
) -> PublishOutcome:
    """Publish `content` as the next version of its activity, unless it is unchanged.

    Creates the activity on its first version. Raises ContentConflictError when the
    key already names an activity of another kind.
    """
    activity = _lock_activity(content)
    stored = stored_content(content)
    digest = content_hash(stored)
    latest = published_version(activity)
    if latest is not None and latest.content_hash == digest:
        return PublishOutcome(activity, latest, created=False)

    version = ActivityVersion.objects.create(
        activity=activity,
        number=_next_number(activity),
        schema_version=content.schema_version,
        content=stored,
        content_hash=digest,
        status=Status.PUBLISHED,
        published_at=timezone.now(),
        published_by=user,
    )
    _copy_to_activity(activity, content, version)
    logger.info(
        "Published version %d of activity %s (id %s).",
        version.number,
        activity.key,
        activity.pk,
    )
    return PublishOutcome(activity, version, created=True)


@transaction.atomic
def save_draft(content: ActivityContent, user: "User | None" = None) -> ActivityVersion:
    """Store `content` as the activity's draft, replacing the previous draft if any."""
    activity = _lock_activity(content)
    stored = stored_content(content)
    fields = {
        "schema_version": content.schema_version,
        "content": stored,
        "content_hash": content_hash(stored),
    }
    draft = activity.versions.filter(status=Status.DRAFT).first()
    if draft is None:
        return ActivityVersion.objects.create(
            activity=activity, number=_next_number(activity), **fields
        )
    for name, value in fields.items():
        setattr(draft, name, value)
    draft.save(update_fields=list(fields))
    return draft


@transaction.atomic
def publish_draft(
    draft: ActivityVersion, user: "User | None" = None
) -> ActivityVersion:
    """Publish a draft as the activity's newest version and return it."""
    activity = Activity.objects.select_for_update().get(pk=draft.activity_id)
    draft = activity.versions.get(pk=draft.pk)
    if draft.is_published:
        raise ContentConflictError(
            _("La version %(version)s est déjà publiée.") % {"version": draft}
        )
    content = content_of(draft)
    newest = activity.versions.exclude(pk=draft.pk).aggregate(Max("number"))
    # A version published from a file after the draft was started takes a higher
    # number, so the draft moves past it: numbers follow the order of publication.
    if (newest["number__max"] or 0) > draft.number:
        draft.number = newest["number__max"] + 1
    draft.status = Status.PUBLISHED
    draft.published_at = timezone.now()
    draft.published_by = user
    draft.save(update_fields=["number", "status", "published_at", "published_by"])
    _copy_to_activity(activity, content, draft)
    logger.info("Published draft %d of activity %s.", draft.number, activity.key)
    return draft


def _lock_activity(content: ActivityContent) -> Activity:
    activity, _created = Activity.objects.select_for_update().get_or_create(
        key=content.key, defaults={"kind": content.kind}
    )
    if activity.kind != content.kind:
        raise ContentConflictError(
            _(
                "La clé %(key)s désigne déjà une activité de type %(kind)s : "
                "choisissez une autre clé."
            )
            % {"key": content.key, "kind": activity.kind}
        )
    return activity


def _next_number(activity: Activity) -> int:
    highest = activity.versions.aggregate(Max("number"))["number__max"]
    return (highest or 0) + 1


def _copy_to_activity(
    activity: Activity, content: ActivityContent, version: ActivityVersion
) -> None:
    activity.current_version = version
    activity.title = content.title.fr[:200]
    activity.levels = list(content.levels)
    activity.duration_minutes = content.duration_minutes
    activity.crcn = list(content.crcn)
    activity.on_screen = activity.kind != Kind.UNPLUGGED
    activity.save(
        update_fields=[
            "current_version",
            "title",
            "levels",
            "duration_minutes",
            "crcn",
            "on_screen",
        ]
    )


class ContentFolderError(Exception):
    """A content folder with broken files. Nothing was written.

    `errors` contains one ContentError per broken file.
    """

    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class FolderCheck:
    contents: list[ActivityContent] = field(default_factory=list)
    errors: list[ContentError] = field(default_factory=list)


def check_content_folder(folder: Path | str) -> FolderCheck:
    """Validate every `*.yaml` file of `folder` without writing anything."""
    folder = Path(folder)
    check = FolderCheck()
    if not folder.is_dir():
        check.errors.append(
            ContentError(folder, [Problem("", _("dossier introuvable"))])
        )
        return check
    for path in sorted(folder.glob("*.yaml")):
        try:
            check.contents.append(load_content_file(path))
        except ContentError as error:
            check.errors.append(error)
    return check


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)  # "key v2"
    unchanged: list[str] = field(default_factory=list)


def load_content_folder(folder: Path | str, user: "User | None" = None) -> LoadReport:
    """Publish every activity file of `folder` whose content changed.

    Every file is validated before anything is written, and the writes happen in one
    transaction. Raises ContentFolderError listing every broken file.
    """
    check = check_content_folder(folder)
    if check.errors:
        raise ContentFolderError(check.errors)
    report = LoadReport()
    with transaction.atomic():
        for content in check.contents:
            outcome = publish_content(content, user)
            name = f"{content.key} v{outcome.version.number}"
            (report.created if outcome.created else report.unchanged).append(name)
    logger.info(
        "Loaded content from %s: %d new versions, %d unchanged.",
        folder,
        len(report.created),
        len(report.unchanged),
    )
    return report


def dump_content_folder(folder: Path | str) -> list[Path]:
    """Write the latest published version of every activity into `folder`."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    versions = ActivityVersion.objects.filter(
        pk__in=Activity.objects.values("current_version")
    ).select_related("activity")
    for version in versions.order_by("activity__key"):
        written.extend(write_content_file(content_of(version), folder))
    return written


# Unfinished drafts: forms saved while they still have problems.


def unfinished_draft(
    user: "User", kind: str, activity: Activity | None
) -> UnfinishedDraft | None:
    """Return the form `user` left unfinished for `activity` (None: a new one)."""
    return (
        UnfinishedDraft.objects.filter(author=user, kind=kind, activity=activity)
        .order_by("-saved_at")
        .first()
    )


@transaction.atomic
def save_unfinished_draft(
    user: "User", kind: str, activity: Activity | None, values: dict[str, list[str]]
) -> UnfinishedDraft:
    """Keep the values of a form that cannot be saved as a version yet."""
    draft = unfinished_draft(user, kind, activity)
    if draft is None:
        return UnfinishedDraft.objects.create(
            author=user, kind=kind, activity=activity, values=values
        )
    draft.values = values
    draft.save(update_fields=["values", "saved_at"])
    return draft


def discard_unfinished_draft(
    user: "User", kind: str, activity: Activity | None
) -> None:
    """Forget the form `user` left unfinished, once saved, published or dropped."""
    UnfinishedDraft.objects.filter(author=user, kind=kind, activity=activity).delete()
