from django.db import migrations, models

# Each contribution's description, then its quotes, a line apart (contributions.models.search_document).
BACKFILL = {
    "postgresql": """
        UPDATE contributions_contribution AS c SET search_text = c.description || COALESCE(
            (SELECT string_agg(E'\\n' || q.quote, '' ORDER BY q.id)
             FROM contributions_citation AS q WHERE q.contribution_id = c.id), '')
    """,
    "sqlite": """
        UPDATE contributions_contribution SET search_text = description || COALESCE(
            (SELECT group_concat(char(10) || q.quote, '')
             FROM contributions_citation AS q WHERE q.contribution_id = contributions_contribution.id), '')
    """,
}

# PostgreSQL only: a trigram index serves the UPPER(...) LIKE '%...%' that icontains generates, so a
# search for a rare word reads its matches instead of every row. SQLite has no equivalent and scans.
TRIGRAM_INDEX = (
    "CREATE INDEX contribution_search_trgm_idx ON contributions_contribution "
    "USING gin (UPPER(search_text) gin_trgm_ops)"
)


def fill(connection):
    with connection.cursor() as cursor:
        cursor.execute(BACKFILL[connection.vendor])


def backfill(apps, schema_editor):
    fill(schema_editor.connection)


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # pg_trgm is a trusted extension: the database's owner may create it without being a superuser.
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(TRIGRAM_INDEX)


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS contribution_search_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0003_performance"),
    ]

    operations = [
        migrations.AddField(
            model_name="contribution",
            name="search_text",
            field=models.TextField(
                blank=True, editable=False, help_text="Description and citation quotes, kept by signals for search."
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
