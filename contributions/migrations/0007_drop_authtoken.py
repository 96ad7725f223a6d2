# API tokens moved from rest_framework.authtoken, which kept each key in clear, to django-rest-knox,
# which keeps a hash. The old keys are dropped rather than left readable in the database and its
# backups; editors make new tokens at /account/tokens/.

from django.db import migrations


def forget_authtoken(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS authtoken_token")
        cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")
    # Its permissions go with the content type.
    apps.get_model("contenttypes", "ContentType").objects.filter(app_label="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contributions", "0006_nation_date_index"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(forget_authtoken, migrations.RunPython.noop)]
