"""Each contribution recorded before status events starts with one: its state as entered, dated when it
was announced (or started), sharing the words of its first citation, as a new contribution's does."""

from django.db import migrations


def first_events(apps, schema_editor):
    Contribution = apps.get_model("contributions", "Contribution")
    StatusEvent = apps.get_model("contributions", "StatusEvent")
    Citation = apps.get_model("contributions", "Citation")
    for contribution in Contribution.objects.filter(events__isnull=True).iterator():
        date, precision = contribution.announced, contribution.announced_precision
        if date is None and contribution.started is not None:
            date, precision = contribution.started, contribution.started_precision
        event = StatusEvent.objects.create(
            contribution=contribution,
            status=contribution.status,
            date=date,
            date_precision=precision if date else "day",
            quantity=contribution.quantity,
            quantity_qualifier=contribution.quantity_qualifier,
            amount=contribution.amount,
            meeting_id=contribution.meeting_id,
            official_id=contribution.official_id,
            state_quantity=contribution.quantity,
            state_quantity_qualifier=contribution.quantity_qualifier if contribution.quantity is not None else "",
            state_amount=contribution.amount,
        )
        cited = Citation.objects.filter(contribution=contribution).order_by("pk").first()
        if cited is not None:
            # Historical models have no save() logic: share the words where they are stored, by hand.
            Citation.objects.create(
                source_id=cited.source_id, quote="", shares_id=cited.shares_id or cited.pk, status_event=event
            )


class Migration(migrations.Migration):
    dependencies = [("contributions", "0018_status_events")]

    operations = [migrations.RunPython(first_events, migrations.RunPython.noop)]
