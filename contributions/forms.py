"""Form pieces the lists share: reading several values from one parameter, the paging and download
options, the orderings each list offers, and a checkbox widget that shows how many rows each option
would give."""

from django import forms
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import cache, pagination
from .models.fields import DateField
from .models.keys import parse_id

# The two names of the partner filter (the filters package): `partner`, and `nation`, which links and clients
# already use. A partner facet counts under every filter but these.
PARTNER_PARAMS = ("nation", "partner")


def split_values(values, normalize=str):
    """Flatten repeated and comma-separated values into one list."""
    if not values:
        return values
    if isinstance(values, str):
        values = [values]
    return [normalize(part.strip()) for value in values for part in str(value).split(",") if part.strip()]


class CheckboxesWithCounts(forms.CheckboxSelectMultiple):
    """A checkbox per choice, ticked from the URL's values (repeated or comma-separated), each with a count.

    Set `counts` ({value: n}) to show a count beside every option; set `choices` to offer only some
    options (a facet lists what the other filters leave). A value the URL asks for that no option has,
    such as a mistyped code, still gets a ticked box, so the form can be corrected.
    """

    template_name = "contributions/widgets/checkboxes.html"

    def __init__(self, attrs=None, choices=(), lowercase=False, noun="matching"):
        super().__init__(attrs, choices)
        self.lowercase = lowercase
        self.noun = noun
        self.counts = None

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return split_values(getter(name) if getter else data.get(name)) or []

    def key(self, value):
        value = str(value)
        return value.lower() if self.lowercase else value

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)
        ticked = [self.key(v) for v in context["widget"]["value"]]
        options = []
        for choice, label in self.choices:
            key = self.key(choice)
            count = None if self.counts is None else self.counts.get(key, 0)
            options.append({"value": key, "label": label, "checked": key in ticked, "count": count})
        offered = {option["value"] for option in options}
        for key in dict.fromkeys(ticked):
            if key not in offered:
                options.append({"value": key, "label": key.upper() if self.lowercase else key, "checked": True})
                options[-1]["count"] = None if self.counts is None else 0
        # The options are written here rather than in a template loop, and with plain escaping rather
        # than format_html(), which was no faster: the contribution list offers some 600 (every partner,
        # meeting and official), and looping over them was a quarter of the page's rendering.
        items = "".join(self.option_html(escape(name), option) for option in options)
        context["widget"].update(options=options, items=mark_safe(items), noun=self.noun)
        return context

    def option_html(self, name, option):
        checked = " checked" if option["checked"] else ""
        value, label = escape(option["value"]), escape(option["label"])
        count = ""
        if option["count"] is not None:
            zero = "" if option["count"] else " is-zero"
            hidden = f'<span class="visually-hidden"> {escape(self.noun)}</span>'
            count = f'<span class="count{zero}">{option["count"]}{hidden}</span>'
        return (
            f'<li><label><input type="checkbox" name="{name}" value="{value}"{checked}>'
            f'<span class="option-label">{label}</span>{count}</label></li>'
        )

    def format_value(self, value):
        if value is None:
            return []
        return [str(v) for v in (value if isinstance(value, list | tuple) else [value])]


class ListOptionsForm(forms.Form):
    """Paging and download format: not filters, but checked as strictly. Sizes above the largest are capped."""

    page = forms.IntegerField(required=False, min_value=1, label="Page")
    page_size = forms.CharField(required=False, label="Rows per page")
    format = forms.ChoiceField(
        required=False, choices=[("html", "Web page"), ("csv", "CSV"), ("json", "JSON")], label="Format"
    )

    def clean_page_size(self):
        raw = self.cleaned_data["page_size"]
        try:
            return pagination.page_size(raw or None)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None

    def page_sizes(self):
        """The sizes offered; a size typed into the address is offered too, so submitting keeps it."""
        size = self.cleaned_data.get("page_size") if self.is_valid() else None
        return sorted({*pagination.PAGE_SIZES, size}) if size else pagination.PAGE_SIZES


CONTRIBUTION_ORDERINGS = [
    ("", "Earliest first"),
    ("-announced", "Latest first"),
    ("nation", "Nation, A to Z"),
    ("-nation", "Nation, Z to A"),
    ("category", "Category"),
    ("status", "Status"),
    ("-quantity", "Largest quantity"),
    ("-amount", "Largest amount"),
]
NATION_ORDERINGS = [
    ("", "Name, A to Z"),
    ("-name", "Name, Z to A"),
    ("role", "Role"),
    ("joined", "Date joined"),
    ("-contributions", "Most contributions first"),
]
MEETING_ORDERINGS = [
    ("", "Date, earliest first"),
    ("-date", "Date, latest first"),
    ("title", "Title"),
    ("kind", "Kind"),
]
OFFICIAL_ORDERINGS = [("", "Name, A to Z"), ("-name", "Name, Z to A"), ("nation", "Nation")]


# Only ISO dates: with the site's en-gb formats, "02/11/2016" would quietly mean 2 November.
ISO_DATE = ["%Y-%m-%d"]


class AsOfForm(forms.Form):
    """?as_of= on a page that is not a filtered list (the matrix): the contribution filter's date rule."""

    as_of = forms.DateField(
        required=False,
        input_formats=ISO_DATE,
        validators=DateField.default_validators,
        label="The tracker as it stood on",
        help_text="Blank: today.",
    )

    def as_params(self):
        """{"as_of": "YYYY-MM-DD"} for the links the page makes, or nothing without a date."""
        day = self.cleaned_data.get("as_of")
        return {"as_of": day.isoformat()} if day else {}


class SearchForm(forms.Form):
    """The site-wide search: the words, optionally one kind of record, and the page of that kind."""

    q = forms.CharField(max_length=200, label="Search", strip=True)
    kind = forms.ChoiceField(required=False, label="Kind of record")
    page = forms.IntegerField(required=False, min_value=1, max_value=10_000, label="Page")

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Every kind"), *kinds]


# --- The fields that parameters are parsed with ------------------------------------------------------


class CSVMultipleChoiceField(forms.MultipleChoiceField):
    def to_python(self, value):
        return split_values(super().to_python(value))


class CSVModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    normalize = str

    def clean(self, value):
        return super().clean(split_values(value, self.normalize))


def partner_key(value):
    """A partner's slug from the key a URL gives: ISO codes come in either case, slugs are lower-case."""
    return value.strip().lower()


class PartnerKeyField(CSVModelMultipleChoiceField):
    # A staticmethod, or the function would bind to the field.
    normalize = staticmethod(partner_key)

    def _check_values(self, value):
        # Most lists are asked for a partner, and there are few partners: they are kept by key until
        # the next write rather than looked up on every request. The chosen records come as a list.
        key = self.to_field_name
        sql = str(self.queryset.query)
        by_key = cache.remembered("partners", (sql, key), lambda: {str(getattr(n, key)): n for n in self.queryset})
        for item in value:
            self.validate_no_null_characters(item)
            if item not in by_key:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return [by_key[item] for item in dict.fromkeys(value)]


class IdsField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        values = split_values(value)
        for item in values or []:
            # A number past the database's integer range would be an error in the query, not a 400.
            # The value goes in as a parameter, not into the message: django-filter %-formats the
            # message, and a "%" typed into the URL would otherwise break the error itself.
            try:
                parse_id(item)
            except ValueError:
                raise forms.ValidationError(
                    "“%(value)s” is not an id.", code="invalid_pk_value", params={"value": item}
                ) from None
        return super().clean(values)


class StrictBooleanField(forms.NullBooleanField):
    """true or false (1 or 0), or nothing; anything else is an error rather than "no filter"."""

    widget = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        words = {"true": True, "1": True, "false": False, "0": False}
        if str(value).strip().lower() not in words:
            raise forms.ValidationError("Choose true or false.", code="invalid_boolean")
        return words[str(value).strip().lower()]
