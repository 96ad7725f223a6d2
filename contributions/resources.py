"""Spreadsheet import and export for the editors' admin (django-import-export).

Related records are named by the keys an editor can read in a spreadsheet: a partner by a country's
ISO code (either case) or an organization's slug, a meeting, official or source by its slug. Export
writes the same columns import reads, so an exported file can be corrected and imported back.
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources

from . import tables
from .import_files import ImportFileError
from .import_widgets import CodesWidget, CodeWidget, IdWidget, IsoDateWidget, KeyWidget
from .models.citations import CITATION_TARGETS, Citation
from .models.contributions import Contribution
from .models.events import DERIVED, StatusEvent
from .models.lines import LineLead, LineOfEffort
from .models.meetings import Figure, Meeting, Participation
from .models.nations import Nation, Official
from .models.requests import CapabilityRequest
from .models.roles import RoleStatement
from .models.sources import Source
from .models.theatres import Theatre

NEW_OR_EXISTING = "Blank for a new {0}; the id of an existing one to change it."
CITATION_HELP = {
    "source": "Slug of its citation's source; required for a new record, blank to leave its citations as they are.",
    "quote": "The source's exact words; required with source. A citation already recorded is not added again.",
}


def imported_columns(table, *left_out):
    """The table's columns that an import file carries: the export's, less what the file cannot set."""
    return [name for name in table.fieldnames if name not in left_out]


NATION_COLUMNS = imported_columns(tables.NATIONS, "id", "updated")
EVENT_COLUMNS = imported_columns(tables.STATUS_EVENTS, *DERIVED, "updated")
CONTRIBUTION_COLUMNS = imported_columns(
    tables.CONTRIBUTIONS, "nation", "sources", "quotes", "quantity_display", "known_since"
)


def related(attribute, model, lookup, column=None):
    return fields.Field(attribute=attribute, column_name=column or attribute, widget=KeyWidget(model, lookup))


def date_field(name):
    return fields.Field(attribute=name, column_name=name, widget=IsoDateWidget())


class EditorResource(resources.ModelResource):
    """All-or-nothing imports that run the model's own validation on every row."""

    # Column -> what it holds, for the import help page. Allowed values come from the model's choices.
    column_help = {}
    # A required column -> another that may stand in for it (partner and nation_code, for each other).
    alternative_columns = {}
    # Columns an import reads but an export leaves out, as another column already holds their value.
    import_only = []

    class Meta:
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def import_data(self, dataset, **kwargs):
        # The admin preview never offers to confirm a file with an invalid row; this also holds for the
        # confirm step (the file is read again) and for `manage.py import`, which would otherwise save
        # the valid rows and skip the rest.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().import_data(dataset, **kwargs)

    def before_import(self, dataset, **kwargs):
        # Refused as a whole file: a misnamed column would otherwise be ignored, a missing one left as
        # it is, and the last of two rows for one record would win.
        unknown = [name for name in dataset.headers if name not in self.column_names()]
        missing = [
            name
            for name in self.required_columns()
            if name not in dataset.headers and self.alternative_columns.get(name) not in dataset.headers
        ]
        problems = []
        if unknown:
            problems.append("unknown columns: " + ", ".join(unknown))
        if missing:
            problems.append("missing columns: " + ", ".join(missing))
        if problems:
            raise ImportFileError(f"Check the header row: {'; '.join(problems)}.")
        self.refuse_duplicate_keys(dataset)
        super().before_import(dataset, **kwargs)

    def refuse_duplicate_keys(self, dataset):
        columns = [self.fields[name].column_name for name in self.get_import_id_fields()]
        seen = {}
        for line, row in enumerate(dataset.dict, start=2):
            key = tuple(str(row.get(column) or "").strip().upper() for column in columns)
            if not any(key):
                continue  # new records have no key yet
            if key in seen:
                named = ", ".join(f"{column} {value}" for column, value in zip(columns, key, strict=True))
                raise ImportFileError(f"Lines {seen[key]} and {line} are both {named}; a record can appear once.")
            seen[key] = line

    def get_instance(self, instance_loader, row):
        # A new record takes its id from the database. An id that names no record is a typing error, or
        # a record deleted since the export: saving a new record under it would hide the mistake.
        if self.get_import_id_fields() != ["id"] or "id" not in row:
            return super().get_instance(instance_loader, row)
        try:
            instance = super().get_instance(instance_loader, row)
        except ValueError as error:
            raise ValidationError({"id": [str(error)]}) from None
        ident = self.fields["id"].clean(row)
        if instance is None and ident is not None:
            name = self._meta.model._meta.verbose_name
            raise ValidationError({"id": [f"No {name} with id {ident}; leave it blank to add a new {name}."]})
        return instance

    def import_instance(self, instance, row, **kwargs):
        # validate_instance, which names each error's column, is not given the row.
        self._row = row
        super().import_instance(instance, row, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            # Name the column the editor sees (nation_code), not the model field behind it (nation);
            # of two columns for one field (nation_code, partner), the one the row fills, else the one it has.
            row = getattr(self, "_row", {})
            columns = {}
            for field in self.get_import_fields():
                columns.setdefault(field.attribute, []).append(field.column_name)
            columns = {
                attribute: max(names, key=lambda name: (bool(str(row.get(name) or "").strip()), name in row))
                for attribute, names in columns.items()
            }
            raise ValidationError(
                {columns.get(name, name): errors for name, errors in error.error_dict.items()}
            ) from None

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        try:
            super().import_field(field, instance, row, is_m2m, **kwargs)
        except ArithmeticError:
            # Number widgets parse through Decimal, whose error for "abc" is not a ValueError and would
            # otherwise show as a traceback instead of a message on the column.
            raise ValueError(f"“{row[field.column_name]}” is not a number.") from None

    def before_save_instance(self, instance, row, **kwargs):
        # The history says who imported and from which file; a management command has no user.
        if kwargs.get("user") is not None:
            instance._history_user = kwargs["user"]
        file_name = kwargs.get("file_name")
        instance._change_reason = f"Imported from {file_name}" if file_name else "Imported"

    def get_export_fields(self, selected_fields=None):
        return [
            field for field in super().get_export_fields(selected_fields) if field.column_name not in self.import_only
        ]

    @classmethod
    def required_columns(cls):
        """Columns a file must have: those of the fields a record cannot leave blank."""
        fields = {
            field.column_name: cls._meta.model._meta.get_field(field.attribute)
            for field in cls().get_user_visible_fields()
            if field.attribute  # not the citation columns
        }
        return [name for name, field in fields.items() if not (field.blank or field.primary_key or field.has_default())]

    @classmethod
    def column_names(cls):
        return [field.column_name for field in cls().get_user_visible_fields()]


class CitedResource(EditorResource):
    """A record that needs evidence: a new one brings its first citation in the same row.

    Further citations of one record go in the citations file. Re-importing a row finds its citation
    by (source, quote) rather than adding it again.
    """

    citation_of = ""  # the Citation field that points at this model
    source = fields.Field(column_name="source", widget=KeyWidget(Source, "slug"))
    quote = fields.Field(column_name="quote")

    def first_citation(self, record):
        return min(record.citations.all(), key=lambda citation: citation.pk, default=None)

    def dehydrate_source(self, record):
        citation = self.first_citation(record)
        return citation.source.slug if citation else ""

    def dehydrate_quote(self, record):
        citation = self.first_citation(record)
        return citation.quote if citation else ""

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        slug, quote = (str(row.get(column) or "").strip() for column in ("source", "quote"))
        instance._import_citation = None
        name = self._meta.model._meta.verbose_name
        if slug and quote:
            try:
                instance._import_citation = (self.fields["source"].widget.clean(slug), quote)
            except ValueError as error:
                errors.setdefault("source", []).append(str(error))
            else:
                self.verify_citation(*instance._import_citation, errors)
        elif slug or quote:
            errors.setdefault("quote" if slug else "source", []).append("A citation needs both source and quote.")
        elif instance._state.adding:
            errors.setdefault("quote", []).append(f"A new {name} needs its citation: fill source and quote.")
        if errors:
            raise ValidationError(errors)

    def verify_citation(self, source, quote, errors):
        """The row's quote against its source's archived text, as the citation's save will check it:
        a row error now, rather than a failure after the record is saved."""
        try:
            Citation(source=source, quote=quote).verify()
        except ValidationError as error:
            errors.setdefault("quote", []).extend(error.message_dict.get("quote", error.messages))

    def new_citation(self, instance):
        if not getattr(instance, "_import_citation", None) or instance.pk is None:
            return bool(getattr(instance, "_import_citation", None))
        source, quote = instance._import_citation
        return not Citation.objects.quoting(source, quote).filter(**{self.citation_of: instance}).exists()

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if self.new_citation(instance):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if instance._import_citation:
            source, quote = instance._import_citation
            if self.new_citation(instance):
                Citation.objects.create(source=source, quote=quote, **{self.citation_of: instance})


def partner_slug(row):
    """The slug a partner's import row names it by."""
    code, slug = (str(row.get(column) or "").strip().lower() for column in ("code", "slug"))
    if str(row.get("kind") or "").strip() == Nation.Kind.ORGANIZATION:
        return slug or code
    return code


class NationResource(CitedResource):
    citation_of = "nation"
    code = fields.Field(attribute="country", column_name="code", widget=CodeWidget())
    joined = date_field("joined")

    column_help = {
        **tables.NATIONS.meanings(*NATION_COLUMNS),
        **CITATION_HELP,
        "code": "A country's ISO 3166-1 two-letter code (FR, IT, US); for an organization, its slug (or blank, "
        "with the slug column filled). An existing code updates that partner.",
        "name": "Name as shown on the site. Blank: the ISO short name (an organization needs its name).",
        "kind": "country (blank means country) or organization.",
        "slug": "Blank for a country (its code in lower case). An organization's short name (arab-league, eu); "
        "an existing slug updates that organization.",
    }

    class Meta(EditorResource.Meta):
        model = Nation
        fields = [*NATION_COLUMNS, "source", "quote"]
        import_id_fields = ["slug"]

    def before_import(self, dataset, **kwargs):
        # Partners are found by slug. A country's is its code in lower case, whatever the slug column says;
        # a file from before organizations has no slug column at all.
        if "code" in dataset.headers:
            rows = list(dataset.dict)
            if "slug" in dataset.headers:
                del dataset["slug"]
            dataset.append_col([partner_slug(row) for row in rows], header="slug")
        super().before_import(dataset, **kwargs)


class ContributionResource(CitedResource):
    citation_of = "contribution"
    id = fields.Field(attribute="id", column_name="id", widget=IdWidget())
    # Named as in the public CSV download, so a researcher's download imports unchanged.
    nation_code = related("nation", Nation, "slug", column="nation_code")
    # The same record, under the name it shares with organizations; a blank leaves nation_code's.
    partner = fields.Field(
        attribute="nation", column_name="partner", widget=KeyWidget(Nation, "slug"), saves_null_values=False
    )
    meeting = related("meeting", Meeting, "slug")
    official = related("official", Official, "slug")
    announced = date_field("announced")
    host_code = related("host", Nation, "slug", column="host_code")
    theatres = fields.Field(
        attribute="theatres", column_name="theatres", widget=CodesWidget(Theatre, field="code", separator=";")
    )
    started = date_field("started")
    ended = date_field("ended")
    rate_date = date_field("rate_date")

    column_help = {
        **tables.CONTRIBUTIONS.meanings(*CONTRIBUTION_COLUMNS),
        **CITATION_HELP,
        "id": NEW_OR_EXISTING.format("contribution"),
        "nation_code": "Code of an existing partner: a country's ISO code (FR) or an organization's slug (eu).",
        "partner": "The contributing partner, instead of nation_code: a country's ISO code (FR, either case) or an "
        "organization's slug (eu, arab-league). With nation_code too, both must name the same partner.",
        "meeting": "Slug of the meeting where it was announced, or blank.",
        "official": "Slug of the official who announced it, or blank.",
        "host_code": "ISO code or slug of the partner hosting the deployment (AE for jets based in the UAE), or blank.",
    }
    alternative_columns = {"nation_code": "partner", "partner": "nation_code"}
    import_only = ["partner"]

    class Meta(EditorResource.Meta):
        model = Contribution
        fields = [*CONTRIBUTION_COLUMNS, "partner", "source", "quote"]

    def import_instance(self, instance, row, **kwargs):
        # Theatres are set after the save, where a bad code would fail the whole file without naming
        # the column: check them with the row's other fields instead.
        errors = {}
        code, partner = (str(row.get(column) or "").strip().lower() for column in ("nation_code", "partner"))
        if code and partner and code != partner:
            errors["partner"] = [f"nation_code names “{code}”, partner “{partner}”: give one partner."]
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "theatres" in row:
            try:
                self.fields["theatres"].clean(row)
            except ValueError as error:
                errors.setdefault("theatres", []).append(str(error))
        if errors:
            raise ValidationError(errors)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("nation", "meeting", "official", "host")
            .prefetch_related("citations__source", "theatres")
        )


class StatusEventResource(CitedResource):
    """A contribution's dated change: each row brings its citation, as a new contribution does."""

    citation_of = "status_event"
    id = fields.Field(attribute="id", column_name="id", widget=IdWidget())
    contribution = related("contribution", Contribution, "pk")
    date = date_field("date")
    meeting = related("meeting", Meeting, "slug")
    official = related("official", Official, "slug")

    column_help = {
        **tables.STATUS_EVENTS.meanings(*EVENT_COLUMNS),
        **CITATION_HELP,
        "id": NEW_OR_EXISTING.format("status event"),
        "contribution": "Id of an existing contribution (as in its address, /contributions/12/).",
        "meeting": "Slug of the meeting where it happened, or blank.",
        "official": "Slug of the official who announced it, or blank.",
    }

    class Meta(EditorResource.Meta):
        model = StatusEvent
        fields = [*EVENT_COLUMNS, "source", "quote"]

    def get_queryset(self):
        return super().get_queryset().select_related("meeting", "official").prefetch_related("citations__source")


class CitationResource(EditorResource):
    id = fields.Field(attribute="id", column_name="id", widget=IdWidget())
    source = related("source", Source, "slug")
    nation_code = related("nation", Nation, "slug", column="nation_code")
    official = related("official", Official, "slug")
    meeting = related("meeting", Meeting, "slug")
    participation = related("participation", Participation, "pk")
    figure = related("figure", Figure, "pk")
    contribution = related("contribution", Contribution, "pk")
    capability_request = related("capability_request", CapabilityRequest, "pk")
    line_of_effort = related("line_of_effort", LineOfEffort, "slug")
    line_lead = related("line_lead", LineLead, "pk")
    role_statement = related("role_statement", RoleStatement, "pk")
    status_event = related("status_event", StatusEvent, "pk")

    column_help = {
        **tables.CITATIONS.meanings("source", "quote", "note"),
        "id": NEW_OR_EXISTING.format("citation"),
        "source": "Slug of an existing source (the article's file stem).",
        "nation_code": "Code of the partner it supports: a country's ISO code or an organization's slug.",
        "official": "Slug of the official it supports.",
        "meeting": "Slug of the meeting it supports.",
        "participation": "Id of the participation it supports.",
        "figure": "Id of the figure it supports.",
        "contribution": "Id of the contribution it supports.",
        "capability_request": "Id of the capability request it supports.",
        "line_of_effort": "Slug of the line of effort it supports.",
        "line_lead": "Id of the line lead it supports (a partner leading a line).",
        "role_statement": "Id of the role statement it supports.",
        "status_event": "Id of the status event it supports.",
    }
    column_note = "Fill exactly one of the last eleven columns: the record the quote supports."

    class Meta(EditorResource.Meta):
        model = Citation
        # One column per kind of record a citation supports; a partner's is its code, as elsewhere.
        fields = ["id", "source", "quote", "note", *("nation_code" if t == "nation" else t for t in CITATION_TARGETS)]

    def get_queryset(self):
        return super().get_queryset().select_related("source", "nation", "official", "meeting", "line_of_effort")
