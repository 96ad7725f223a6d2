"""How the editors' import files read and write one cell (django-import-export widgets): a related record
by its readable key, an ISO code, an id, an ISO date, several codes in one cell."""

from import_export import widgets

from .models.keys import parse_id
from .models.nations import Nation


class KeyWidget(widgets.ForeignKeyWidget):
    """A related record by a readable key, with an error an editor can act on."""

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        # A partner's slug is lower-case; spreadsheets often have codes upper-case ("FR").
        lookup = value.lower() if self.model is Nation else value
        try:
            return self.get_queryset(value, row).get(**{self.field: lookup})
        except self.model.DoesNotExist:
            # A ValueError becomes a validation error on this column, shown in the preview.
            key = {"pk": "id"}.get(self.field, self.field)
            if self.model is Nation:
                key = "ISO code or slug"
            raise ValueError(f"No {self.model._meta.verbose_name} with {key} “{value}”.") from None


class CodeWidget(widgets.CharWidget):
    """ISO country codes are stored upper-case; spreadsheets often have them lower-case. An
    organization's row names it by its slug there, and sets no country."""

    def clean(self, value, row=None, **kwargs):
        if row is not None and str(row.get("kind") or "").strip() == Nation.Kind.ORGANIZATION:
            return ""
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


class CodesWidget(widgets.ManyToManyWidget):
    """Several records by key, separated by ';' (iraq;syria). The stock widget drops an unknown key
    silently; here it is an error on the column."""

    def clean(self, value, row=None, **kwargs):
        keys = [key.strip().lower() for key in str(value or "").split(self.separator) if key.strip()]
        found = {
            getattr(record, self.field): record for record in self.model.objects.filter(**{f"{self.field}__in": keys})
        }
        unknown = [key for key in keys if key not in found]
        if unknown:
            allowed = ", ".join(self.model.objects.values_list(self.field, flat=True))
            raise ValueError(
                f"Unknown {self.model._meta.verbose_name} “{unknown[0]}”; use {allowed}, separated by ';'."
            )
        return [found[key] for key in dict.fromkeys(keys)]

    def render(self, value, obj=None, **kwargs):
        return ";".join(getattr(record, self.field) for record in value.all()) if value is not None else ""
