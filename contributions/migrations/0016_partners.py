"""Nations become partners: a kind (every existing row is a country) and a stored slug (its ISO code in
lower case), so international organizations can join them; role statements, and their citations."""

import datetime
import django.db.models.deletion
import django.db.models.functions.text
import django_countries.fields
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Lower


def fill_slugs(apps, schema_editor):
    """Every existing nation is a country (kind's default): its slug is its code, in lower case.
    Its history rows get the same, so an old version can be restored under the new constraints."""
    for name in ("Nation", "HistoricalNation"):
        model = apps.get_model("contributions", name)
        model.objects.update(slug=Lower("country"))


class Migration(migrations.Migration):

    dependencies = [
        ('contributions', '0015_contribution_fields'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalRoleStatement',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('role', models.CharField(choices=[('lead', 'Lead nation'), ('military', 'Military partner'), ('non_military', 'Non-military partner'), ('member', 'Member (kind of contribution not stated)'), ('non_member', 'Not a member (discussed in the sources)')], max_length=20)),
                ('as_of', models.DateField(help_text='When the source says the partner held this role; for a month or year, its first day.')),
                ('as_of_precision', models.CharField(choices=[('day', 'Day'), ('month', 'Month'), ('season', 'Season'), ('year', 'Year')], default='day', max_length=10)),
                ('updated', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
            ],
            options={
                'verbose_name': 'historical role statement',
                'verbose_name_plural': 'historical role statements',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='RoleStatement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('lead', 'Lead nation'), ('military', 'Military partner'), ('non_military', 'Non-military partner'), ('member', 'Member (kind of contribution not stated)'), ('non_member', 'Not a member (discussed in the sources)')], max_length=20)),
                ('as_of', models.DateField(help_text='When the source says the partner held this role; for a month or year, its first day.')),
                ('as_of_precision', models.CharField(choices=[('day', 'Day'), ('month', 'Month'), ('season', 'Season'), ('year', 'Year')], default='day', max_length=10)),
                ('updated', models.DateTimeField(auto_now=True)),
            ],
            options={
                'ordering': ['partner', 'as_of', 'pk'],
            },
        ),
        migrations.AlterModelOptions(
            name='historicalnation',
            options={'get_latest_by': ('history_date', 'history_id'), 'ordering': ('-history_date', '-history_id'), 'verbose_name': 'historical partner', 'verbose_name_plural': 'historical partners'},
        ),
        migrations.AlterModelOptions(
            name='nation',
            options={'ordering': ['name'], 'verbose_name': 'partner'},
        ),
        migrations.RemoveConstraint(
            model_name='citation',
            name='citation_exactly_one_target',
        ),
        migrations.RemoveConstraint(
            model_name='nation',
            name='nation_unique_country',
        ),
        migrations.AddField(
            model_name='historicalnation',
            name='kind',
            field=models.CharField(choices=[('country', 'Country'), ('organization', 'International organization')], default='country', max_length=20),
        ),
        migrations.AddField(
            model_name='historicalnation',
            name='slug',
            field=models.SlugField(blank=True, db_index=False, help_text="A country's ISO code in lower case (set for you); an organization's short name (arab-league), three characters at least, or eu or un.", max_length=40),
        ),
        migrations.AddField(
            model_name='nation',
            name='kind',
            field=models.CharField(choices=[('country', 'Country'), ('organization', 'International organization')], default='country', max_length=20),
        ),
        migrations.AddField(
            model_name='nation',
            name='slug',
            field=models.SlugField(blank=True, db_index=False, help_text="A country's ISO code in lower case (set for you); an organization's short name (arab-league), three characters at least, or eu or un.", max_length=40),
        ),
        migrations.AlterField(
            model_name='historicalnation',
            name='country',
            field=django_countries.fields.CountryField(blank=True, help_text='ISO 3166-1 country; blank for an organization.', max_length=2),
        ),
        migrations.AlterField(
            model_name='historicalnation',
            name='role',
            field=models.CharField(choices=[('lead', 'Lead nation'), ('military', 'Military partner'), ('non_military', 'Non-military partner'), ('member', 'Member (kind of contribution not stated)'), ('non_member', 'Not a member (discussed in the sources)')], help_text='Its current role: set from its latest role statement, where it has any.', max_length=20),
        ),
        migrations.AlterField(
            model_name='nation',
            name='country',
            field=django_countries.fields.CountryField(blank=True, help_text='ISO 3166-1 country; blank for an organization.', max_length=2),
        ),
        migrations.AlterField(
            model_name='nation',
            name='role',
            field=models.CharField(choices=[('lead', 'Lead nation'), ('military', 'Military partner'), ('non_military', 'Non-military partner'), ('member', 'Member (kind of contribution not stated)'), ('non_member', 'Not a member (discussed in the sources)')], help_text='Its current role: set from its latest role statement, where it has any.', max_length=20),
        ),
        migrations.AddIndex(
            model_name='nation',
            index=models.Index(fields=['kind'], name='nation_kind_idx'),
        ),
        migrations.RunPython(fill_slugs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='nation',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'country')), fields=('country',), name='nation_unique_country'),
        ),
        migrations.AddConstraint(
            model_name='nation',
            constraint=models.UniqueConstraint(fields=('slug',), name='nation_unique_slug'),
        ),
        migrations.AddConstraint(
            model_name='nation',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['country', 'organization'])), name='nation_kind_valid'),
        ),
        migrations.AddConstraint(
            model_name='nation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'country'), models.Q(('country', ''), _negated=True)), models.Q(('country', ''), ('kind', 'organization')), _connector='OR'), name='nation_country_iff_country', violation_error_message='A country needs its ISO code; an organization has none.'),
        ),
        migrations.AddConstraint(
            model_name='nation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'country'), _negated=True), ('slug', django.db.models.functions.text.Lower('country')), _connector='OR'), name='nation_country_slug_is_code', violation_error_message="A country's slug is its ISO code in lower case."),
        ),
        migrations.AddConstraint(
            model_name='nation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'organization'), _negated=True), models.Q(('slug__regex', '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'), models.Q(('slug__regex', '^.{3,}$'), ('slug__in', ['eu', 'un']), _connector='OR')), _connector='OR'), name='nation_organization_slug_valid', violation_error_message="An organization's slug is lower-case words joined by hyphens, three characters at least (eu and un, which ISO 3166 reserves for them, aside), so it cannot be a country's code."),
        ),
        migrations.AddField(
            model_name='historicalrolestatement',
            name='history_user',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='historicalrolestatement',
            name='partner',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contributions.nation'),
        ),
        migrations.AddField(
            model_name='rolestatement',
            name='partner',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='role_statements', to='contributions.nation'),
        ),
        migrations.AddField(
            model_name='citation',
            name='role_statement',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='citations', to='contributions.rolestatement'),
        ),
        migrations.AddField(
            model_name='historicalcitation',
            name='role_statement',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='contributions.rolestatement'),
        ),
        migrations.AddConstraint(
            model_name='citation',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('capability_request__isnull', True), ('contribution__isnull', True), ('figure__isnull', True), ('line_lead__isnull', True), ('line_of_effort__isnull', True), ('meeting__isnull', True), ('nation__isnull', False), ('official__isnull', True), ('participation__isnull', True), ('role_statement__isnull', True)), models.Q(('capability_request__isnull', True), ('contribution__isnull', True), ('figure__isnull', True), ('line_lead__isnull', True), ('line_of_effort__isnull', True), ('meeting__isnull', True), ('nation__isnull', True), ('official__isnull', False), ('participation__isnull', True), ('role_statement__isnull', True)), models.Q(('capability_request__isnull', True), ('contribution__isnull', True), ('figure__isnull', True), ('line_lead__isnull', True), ('line_of_effort__isnull', True), ('meeting__isnull', False), ('nation__isnull', True), ('official__isnull', True), ('participation__isnull', True), ('role_statement__isnull', True)), models.Q(('capability_request__isnull', True), ('contribution__isnull', True), ('figure__isnull', True), ('line_lead__isnull', True), ('line_of_effort__isnull', True), ('meeting__isnull', True), ('nation__isnull', True), ('official__isnull', True), ('participation__isnull', False), ('role_statement__isnull', True)), models.Q(('capability_request__isnull', True), ('contribution__isnull', True), ('figure__isnull', False), ('line_lead__isnull', True), ('line_of_effort__isnull', True), ('meeting__isnull', True), ('nation__isnull', True), ('official__isnull', True), ('participation__isnull', True), ('role_statement__isnull', True)), models.Q(('capability_request__isnull', True), ('contribution__isnull', False), ('figure__isnull', True), ('line_lead__isnull', True), ('line_of_effort__isnull', True), ('meeting__isnull', True), ('nation__isnull', True), ('official__isnull', True), ('participation__isnull', True), ('role_statement__isnull', True)), models.Q(('capability_request__isnull', False), ('contribution__isnull', True), ('figure__isnull', True), ('line_lead__isnull', True), ('line_of_effort__isnull', True), ('meeting__isnull', True), ('nation__isnull', True), ('official__isnull', True), ('participation__isnull', True), ('role_statement__isnull', True)), models.Q(('capability_request__isnull', True), ('contribution__isnull', True), ('figure__isnull', True), ('line_lead__isnull', True), ('line_of_effort__isnull', False), ('meeting__isnull', True), ('nation__isnull', True), ('official__isnull', True), ('participation__isnull', True), ('role_statement__isnull', True)), models.Q(('capability_request__isnull', True), ('contribution__isnull', True), ('figure__isnull', True), ('line_lead__isnull', False), ('line_of_effort__isnull', True), ('meeting__isnull', True), ('nation__isnull', True), ('official__isnull', True), ('participation__isnull', True), ('role_statement__isnull', True)), models.Q(('capability_request__isnull', True), ('contribution__isnull', True), ('figure__isnull', True), ('line_lead__isnull', True), ('line_of_effort__isnull', True), ('meeting__isnull', True), ('nation__isnull', True), ('official__isnull', True), ('participation__isnull', True), ('role_statement__isnull', False)), _connector='OR'), name='citation_exactly_one_target', violation_error_message='A citation supports exactly one record.'),
        ),
        migrations.AddIndex(
            model_name='rolestatement',
            index=models.Index(fields=['partner', 'as_of'], name='role_statement_partner_idx'),
        ),
        migrations.AddConstraint(
            model_name='rolestatement',
            constraint=models.CheckConstraint(condition=models.Q(('role__in', ['lead', 'military', 'non_military', 'member', 'non_member'])), name='role_statement_role_valid'),
        ),
        migrations.AddConstraint(
            model_name='rolestatement',
            constraint=models.CheckConstraint(condition=models.Q(('as_of_precision__in', ['day', 'month', 'season', 'year'])), name='role_statement_precision_valid'),
        ),
        migrations.AddConstraint(
            model_name='rolestatement',
            constraint=models.CheckConstraint(condition=models.Q(('as_of__gte', datetime.date(1990, 1, 1)), ('as_of__lte', datetime.date(2100, 12, 31))), name='role_statement_as_of_in_range', violation_error_message='Dates lie between 1990 and 2100.'),
        ),
    ]
