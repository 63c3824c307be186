import itertools
import time

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from accounts.pictures import pictures_of
from iota.demo import DEMO_ADULTS, DEMO_PASSWORD, DemoSummary, load_demo_data
from reports.models import AnalysisStatus
from reports.services import (
    analyse_now,
    data_fingerprint,
    latest_analysis,
    request_analysis,
)
from studies.models import Study

# Pupils printed per class, among those without answers.
PUPILS_PER_CLASS = 2


class Command(BaseCommand):
    help = (
        "Load the demo school, its accounts, a perseverance campaign, class plans, "
        "a performance task and last year's four-wave impact study, all with "
        "simulated answers, then analyse the study. Running it again keeps the "
        "existing data and adds only what is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--analysis",
            choices=["now", "queue", "skip"],
            default="now",
            help="when to analyse the demo study: 'now' in this command (about a "
            "minute on two cores), 'queue' for a task worker started afterwards "
            "(iota db_worker, which make demo starts), or 'skip' and let the "
            "dashboard queue it on the first visit (default: now)",
        )

    def handle(self, *args: object, **options: object) -> None:
        summary = load_demo_data()
        out = self.stdout
        if summary.created:
            out.write(self.style.SUCCESS(f"Demo data loaded from {summary.source}."))
        elif summary.added:
            out.write(
                "Demo data already present; added what it lacked: "
                + ", ".join(summary.added)
                + "."
            )
        else:
            out.write("Demo data already present: nothing changed.")
        if summary.study is not None:
            self._analyse(summary.study, str(options["analysis"]))
        self._write_accounts(summary)
        self._write_guide(summary)
        self._write_pupils(summary)
        out.write("")
        out.write("Answers marked 'données simulées' were generated for the demo.")

    def _analyse(self, study: Study, mode: str) -> None:
        out = self.stdout
        analysis = latest_analysis(study)
        if mode == "skip" or (
            analysis is not None and analysis.fingerprint == data_fingerprint(study)
        ):
            return
        if mode == "now":
            out.write("Analysing the demo study (mixed models, bootstrap, CFA)...")
            started = time.monotonic()
            analysis = analyse_now(study)
            out.write(
                f"Analysis {analysis.status} in {time.monotonic() - started:.0f} s."
            )
            return
        analysis = request_analysis(study, None)
        out.write(
            "The demo study's analysis is queued: the task worker (iota db_worker, "
            "started by make demo) computes it in about a minute on two cores. "
            "Until then the study dashboard says the analysis is running."
        )
        if analysis.status == AnalysisStatus.RUNNING:
            requested = analysis.requested_at.strftime("%H:%M")
            out.write(
                f"An analysis requested at {requested} is still marked as running. "
                "If its worker was stopped, the dashboard queues a new one 30 "
                "minutes after that request; iota load-demo --analysis now "
                "computes one at once."
            )

    def _write_accounts(self, summary: DemoSummary) -> None:
        out = self.stdout
        out.write("")
        out.write(f"Accounts (password for all: {DEMO_PASSWORD}):")
        for email, role in summary.accounts:
            out.write(f"  {email:32} {role}")
        out.write("")
        out.write("Classes (pupils type the class code at /comptes/eleve/):")
        for classroom in summary.classes:
            teachers = ", ".join(t.email or "" for t in classroom.teachers.all())
            out.write(f"  {classroom.code}  {classroom.label}  ({teachers})")

    def _write_guide(self, summary: DemoSummary) -> None:
        """Write which account to sign in with for each feature, with its page."""
        out = self.stdout
        session = summary.task_session
        featured = session.classroom if session is not None else summary.classes[0]
        teacher = featured.teachers.first()
        pages: list[tuple[str, list[tuple[str, str]]]] = [
            (
                f"a teacher ({teacher.email if teacher else '-'}, {featured.label})",
                [
                    ("classes and sign-in cards", reverse("schools:class-list")),
                    ("activity library", reverse("learning:library")),
                    (
                        "class plan",
                        reverse("learning:class-plan", kwargs={"pk": featured.pk}),
                    ),
                    ("performance tasks", reverse("performance:task-index")),
                ],
            ),
            (
                f"the coordinator ({DEMO_ADULTS[0][0]})",
                [
                    ("campaigns", reverse("assessment:campaign-list")),
                    ("studies", reverse("studies:study-list")),
                    *self._study_pages(summary.study, with_export=False),
                    ("activity authoring", reverse("activities:authoring-list")),
                ],
            ),
            (
                f"the researcher ({DEMO_ADULTS[1][0]})",
                self._study_pages(summary.study, with_export=True),
            ),
        ]
        out.write("")
        if summary.study is not None:
            out.write(f"Impact study: {summary.study.name}")
        out.write("What to try, signed in as:")
        for heading, links in pages:
            out.write(f"  {heading}")
            for name, url in links:
                out.write(f"    {name:28} {url}")

    def _study_pages(
        self, study: Study | None, *, with_export: bool
    ) -> list[tuple[str, str]]:
        if study is None:
            return [("study reports", reverse("reports:index"))]
        kwargs = {"study_pk": study.pk}
        links = [
            ("study dashboard", reverse("reports:dashboard", kwargs=kwargs)),
            ("PDF report", reverse("reports:report-pdf", kwargs=kwargs)),
        ]
        if with_export:
            links.append(
                ("pseudonymised export", reverse("reports:export", kwargs=kwargs))
            )
        return links

    def _write_pupils(self, summary: DemoSummary) -> None:
        out = self.stdout
        session = summary.task_session
        this_week = sorted(
            {
                assignment.activity.title
                for assignment in summary.assignments
                if assignment.activity.on_screen
            }
        )
        out.write("")
        out.write(
            "As a pupil, in another browser or a private window: open "
            f"{reverse('accounts:pupil-start')}, type the class code, tap the name, "
            "then the three pictures. The pupil's today page "
            f"({reverse('assessment:pupil-today')}) lists the questionnaire and "
            f"the activities on screen ({', '.join(this_week) or 'none'})."
        )
        if session is not None:
            out.write(
                f"In class {session.classroom.code}, 'Mes tâches' "
                f"({reverse('performance:pupil-tasks')}) also has the task "
                f"'{session.task.title}'."
            )
        out.write("Pupils who have not answered the questionnaire yet:")
        by_class = itertools.groupby(
            summary.pupils_without_answers, key=lambda pupil: pupil.classroom
        )
        for classroom, pupils in by_class:
            note = ", task open" if session and session.classroom == classroom else ""
            for pupil in itertools.islice(pupils, PUPILS_PER_CLASS):
                pictures = ", ".join(
                    picture.name_fr for picture in pictures_of(pupil.picture_password)
                )
                out.write(
                    f"  class {classroom.code} ({classroom.label}{note}): "
                    f"{pupil.display_name}, pictures {pictures}"
                )
