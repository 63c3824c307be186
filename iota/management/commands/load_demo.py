import time

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from accounts.pictures import pictures_of
from iota.demo import DEMO_PASSWORD, load_demo_data
from reports.services import analyse_now, data_fingerprint, latest_analysis


class Command(BaseCommand):
    help = (
        "Load the demo school, its accounts, a perseverance campaign and last "
        "year's four-wave impact study, all with simulated answers, then analyse "
        "the study. Running it again keeps the existing data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--skip-analysis",
            action="store_true",
            help="do not compute the demo study's analysis now; the dashboard "
            "queues it for a task worker (iota db_worker) instead",
        )

    def handle(self, *args: object, **options: object) -> None:
        summary = load_demo_data()
        out = self.stdout
        if summary.created:
            out.write(self.style.SUCCESS(f"Demo data loaded from {summary.source}."))
        else:
            out.write("Demo data already present: nothing changed.")
        study = summary.study
        if study is not None and not options["skip_analysis"]:
            analysis = latest_analysis(study)
            if analysis is None or analysis.fingerprint != data_fingerprint(study):
                out.write("Analysing the demo study (mixed models, bootstrap, CFA)...")
                started = time.monotonic()
                analysis = analyse_now(study)
                out.write(
                    f"Analysis {analysis.status} in {time.monotonic() - started:.0f} s."
                )
        out.write("")
        out.write(f"Accounts (password for all: {DEMO_PASSWORD}):")
        for email, role in summary.accounts:
            out.write(f"  {email:32} {role}")
        out.write("")
        out.write("Classes (pupils type the class code at /comptes/eleve/):")
        for classroom in summary.classes:
            teachers = ", ".join(t.email for t in classroom.teachers.all())
            out.write(f"  {classroom.code}  {classroom.label}  ({teachers})")
        out.write("")
        out.write("Pupils with no answers yet, to try the questionnaire:")
        for pupil in summary.pupils_without_answers[:6]:
            pictures = ", ".join(
                picture.name_fr for picture in pictures_of(pupil.picture_password)
            )
            out.write(
                f"  class {pupil.classroom.code}: {pupil.display_name}, "
                f"pictures {pictures}"
            )
        if study is not None:
            out.write("")
            out.write(f"Impact study: {study.name}")
            out.write(
                "  dashboard "
                f"{reverse('reports:dashboard', kwargs={'study_pk': study.pk})}, "
                f"PDF {reverse('reports:report-pdf', kwargs={'study_pk': study.pk})}"
            )
        out.write("")
        out.write("Answers marked 'données simulées' were generated for the demo.")
