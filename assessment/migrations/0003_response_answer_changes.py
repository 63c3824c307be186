from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_stored_answers(apps, schema_editor):
    """Start each response's counter at its number of stored answers."""
    Response = apps.get_model("assessment", "Response")
    Answer = apps.get_model("assessment", "Answer")
    counts = (
        Answer.objects.filter(response=OuterRef("pk"))
        .order_by()
        .values("response")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Response.objects.update(answer_changes=Coalesce(Subquery(counts), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("assessment", "0002_campaign_reopenings_and_reminders"),
    ]

    operations = [
        migrations.AddField(
            model_name="response",
            name="answer_changes",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(count_stored_answers, migrations.RunPython.noop),
    ]
