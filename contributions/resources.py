"""Spreadsheet import and export for the editors' admin (django-import-export).

Related records are named by the keys an editor can read in a spreadsheet: a nation by its ISO
code, a meeting, official or source by its slug. Export writes the same columns import reads, so
an exported file can be corrected and imported back.
"""

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets

from . import tables
from .models.citations import Citation
from .models.contributions import CapabilityRequest, Contribution
from .models.keys import parse_id
from .models.meetings import Figure, Meeting, Participation
from .models.nations import Nation, Official
from .models.sources import Source

NEW_OR_EXISTING = "Blank for a new {0}; the id of an existing one to change it."


def imported_columns(table, *left_out):
    """The table's columns that an import file carries: the export's, less what the file cannot set."""
    return [name for name in table.fieldnames if name not in left_out]


NATION_COLUMNS = imported_columns(tables.NATIONS, "id", "updated")
CONTRIBUTION_COLUMNS = imported_columns(tables.CONTRIBUTIONS, "nation", "sources", "quotes")


class KeyWidget(widgets.ForeignKeyWidget):
    """A related record by a readable key, with an error an editor can act on."""

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        if self.field == "country":
            value = value.upper()  # stored upper-case; spreadsheets often have "fr"
        try:
            return self.get_queryset(value, row).get(**{self.field: value})
        except self.model.DoesNotExist:
            # A ValueError becomes a validation error on this column, shown in the preview.
            key = {"country": "ISO code", "pk": "id"}.get(self.field, self.field)
            raise ValueError(f"No {self.model._meta.verbose_name} with {key} “{value}”.") from None


class CodeWidget(widgets.CharWidget):
    """ISO country codes are stored upper-case; spreadsheets often have them lower-case."""

    def clean(self, value, row=None, **kwargs):
        return super().clean(value, row, **kwargs).strip().upper()


class IdWidget(widgets.Widget):
    """A record's id: blank for a new record, or the whole number of an existing one.

    Stricter than the integer widget, which reads "1.5" as record 1 and "1e3" as record 1000.
    """

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            return parse_id(value.strip() if isinstance(value, str) else value)
        except ValueError as error:
            raise ValueError(f"{error} Leave it blank for a new record, or give an existing record's id.") from None

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IsoDateWidget(widgets.DateWidget):
    def __init__(self):
        super().__init__(format="%Y-%m-%d")

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except ValueError:
            raise ValueError(f"“{value}” is not a date; write it as YYYY-MM-DD, e.g. 2016-02-11.") from None


def related(attribute, model, lookup, column=None):
    return fields.Field(attribute=attribute, column_name=column or attribute, widget=KeyWidget(model, lookup))


def date_field(name):
    return fields.Field(attribute=name, column_name=name, widget=IsoDateWidget())


class EditorResource(resources.ModelResource):
    """All-or-nothing imports that run the model's own validation on every row."""

    # Column -> what it holds, for the import help page. Allowed values come from the model's choices.
    column_help = {}

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

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            # Name the column the editor sees (nation_code), not the model field behind it (nation).
            columns = {field.attribute: field.column_name for field in self.get_import_fields()}
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

    @classmethod
    def column_names(cls):
        return [field.column_name for field in cls().get_user_visible_fields()]


class NationResource(EditorResource):
    code = fields.Field(attribute="country", column_name="code", widget=CodeWidget())
    joined = date_field("joined")

    column_help = {
        **tables.NATIONS.meanings(*NATION_COLUMNS),
        "code": "ISO 3166-1 two-letter code (FR, IT, US). An existing code updates that nation.",
        "name": "Name as shown on the site. Blank: the ISO short name.",
    }

    class Meta(EditorResource.Meta):
        model = Nation
        fields = NATION_COLUMNS
        import_id_fields = ["code"]


class ContributionResource(EditorResource):
    id = fields.Field(attribute="id", column_name="id", widget=IdWidget())
    # Named as in the public CSV download, so a researcher's download imports unchanged.
    nation_code = related("nation", Nation, "country", column="nation_code")
    meeting = related("meeting", Meeting, "slug")
    official = related("official", Official, "slug")
    announced = date_field("announced")

    column_help = {
        **tables.CONTRIBUTIONS.meanings(*CONTRIBUTION_COLUMNS),
        "id": NEW_OR_EXISTING.format("contribution"),
        "nation_code": "ISO code of an existing nation (FR).",
        "meeting": "Slug of the meeting where it was announced, or blank.",
        "official": "Slug of the official who announced it, or blank.",
    }

    class Meta(EditorResource.Meta):
        model = Contribution
        fields = CONTRIBUTION_COLUMNS

    def get_queryset(self):
        return super().get_queryset().select_related("nation", "meeting", "official")


class CitationResource(EditorResource):
    id = fields.Field(attribute="id", column_name="id", widget=IdWidget())
    source = related("source", Source, "slug")
    nation_code = related("nation", Nation, "country", column="nation_code")
    official = related("official", Official, "slug")
    meeting = related("meeting", Meeting, "slug")
    participation = related("participation", Participation, "pk")
    figure = related("figure", Figure, "pk")
    contribution = related("contribution", Contribution, "pk")
    capability_request = related("capability_request", CapabilityRequest, "pk")

    column_help = {
        **tables.CITATIONS.meanings("source", "quote", "note"),
        "id": NEW_OR_EXISTING.format("citation"),
        "source": "Slug of an existing source (the article's file stem).",
        "nation_code": "ISO code of the nation it supports.",
        "official": "Slug of the official it supports.",
        "meeting": "Slug of the meeting it supports.",
        "participation": "Id of the participation it supports.",
        "figure": "Id of the figure it supports.",
        "contribution": "Id of the contribution it supports.",
        "capability_request": "Id of the capability request it supports.",
    }
    column_note = "Fill exactly one of the last seven columns: the record the quote supports."

    class Meta(EditorResource.Meta):
        model = Citation
        fields = [
            "id",
            "source",
            "quote",
            "note",
            "nation_code",
            "official",
            "meeting",
            "participation",
            "figure",
            "contribution",
            "capability_request",
        ]

    def get_queryset(self):
        return super().get_queryset().select_related("source", "nation", "official", "meeting")
