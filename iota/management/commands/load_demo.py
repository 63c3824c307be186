from django.core.management.base import BaseCommand

from accounts.pictures import pictures_of
from iota.demo import DEMO_PASSWORD, load_demo_data


class Command(BaseCommand):
    help = (
        "Load the demo school, its accounts and a perseverance campaign with "
        "simulated answers. Running it again keeps the existing data."
    )

    def handle(self, *args: object, **options: object) -> None:
        summary = load_demo_data()
        out = self.stdout
        if summary.created:
            out.write(self.style.SUCCESS(f"Demo data loaded from {summary.source}."))
        else:
            out.write("Demo data already present: nothing changed.")
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
        out.write("")
        out.write("Answers marked 'données simulées' were generated for the demo.")
