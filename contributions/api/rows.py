"""The contribution list's rows, read with `.values()`: the API's hot path.

A page of 50 contributions spent most of its time building model instances and walking the
serializer's fields for each. ContributionSerializer stays the one definition of a row: its fields
name the keys and their order, its field objects format each value, and its references (nation,
meeting, official, host) are built by the same compact serializers, once per distinct record. What
this module skips is the per-row machinery. tests/test_api_rows.py holds the two equal, row by row,
on the latest state and as of a date.
"""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.fields import Field
from rest_framework.relations import ManyRelatedField, RelatedField

from contributions import cache
from contributions.columns import relation_back
from contributions.models.contributions import STATE, Contribution, quantity_in_words

# Fields that read the whole record but depend on its id alone: a URL per row from one template.
BY_ID = ("url", "web_url")
# A number no row has, so that it can be found and replaced in a URL built for it.
PLACEHOLDER = 987654321987654321


class Rows:
    """The list serializer's rows for a queryset of contributions, from one `.values()` query and one
    query per many-to-many field (theatres, lines of effort), as the prefetches read them."""

    def __init__(self, serializer):
        self.fields = serializer.fields
        self.templates = {}
        self.refs = {}  # field name -> its related model's concrete fields
        self.many = {}  # field name -> (related model, the lookup back to contributions, its key)
        self.plain = []
        for name, field in self.fields.items():
            if name in BY_ID:
                self.templates[name] = str(field.to_representation(Contribution(pk=PLACEHOLDER)))
            elif name == "quantity_display":
                continue
            elif isinstance(field, ManyRelatedField):
                self.many[name] = many_relation(name, field.child_relation.slug_field)
            elif isinstance(field, RelatedField):
                self.refs[name] = field.queryset.model._meta.concrete_fields
            elif isinstance(field, Field) and name in CONCRETE:
                self.plain.append(name)
            else:
                raise ImproperlyConfigured(f"The list's rows do not know how to read {name!r}: add it to api/rows.py.")

    @classmethod
    def for_view(cls, view):
        """The rows of a view's list serializer, made once per host and data version in each process.

        Building the serializer's fields took a tenth of an uncached page. They are kept with the
        context of the first request that asked for them, of which they read only the host their URLs
        point at: the key.
        """
        request = view.request
        material = (view.get_serializer_class(), request.build_absolute_uri("/"), view.format_kwarg)
        return cache.remembered("api-rows", material, lambda: cls(view.get_serializer()))

    def values(self, queryset):
        """The queryset as the values this needs; paginate it, then pass the page to rows()."""
        state = state_fields(queryset)
        names = [state.get(name, name) for name in self.plain]
        related = [f"{name}__{field.attname}" for name, fields in self.refs.items() for field in fields]
        wanted = dict.fromkeys(["id", *names, *state.values(), "quantity_before", "unit", *related])
        return queryset.prefetch_related(None).values(*wanted)

    def rows(self, page, queryset):
        """The rows of a page of values() read from `queryset`."""
        ids = [values["id"] for values in page]
        many = {name: keys_by_contribution(relation, ids) for name, relation in self.many.items()}
        state = state_fields(queryset)
        return [self.row(values, many, state) for values in page]

    def row(self, values, many, state_columns):
        state = {name: values[column] for name, column in state_columns.items()}
        row = {}
        for name, field in self.fields.items():
            if name in self.templates:
                row[name] = self.templates[name].replace(str(PLACEHOLDER), str(values["id"]))
            elif name == "quantity_display":
                row[name] = quantity_in_words(
                    state["quantity"], state["quantity_qualifier"], values["unit"], values["quantity_before"]
                )
            elif name in self.many:
                row[name] = many[name].get(values["id"], [])
            elif name in self.refs:
                row[name] = self.reference(name, field, values)
            else:
                value = state[name] if name in STATE else values[name]
                row[name] = None if value is None else field.to_representation(value)
        return row

    def reference(self, name, field, values):
        model, fields = field.queryset.model, self.refs[name]
        pk = values[f"{name}__{model._meta.pk.attname}"]
        if pk is None:
            return None
        # RecordField keeps each record's compact form until the next write: the record is made only
        # for the first row to name it.
        names = [f.attname for f in fields]
        return field.represent(pk, lambda: model.from_db(None, names, [values[f"{name}__{n}"] for n in names]))


CONCRETE = {field.name for field in Contribution._meta.concrete_fields}


def state_fields(queryset):
    """{status, quantity, …: the column holding it}: as of a date, `status_then` and the like
    (ContributionQuerySet.as_of)."""
    return {name: queryset.state_field(name) for name in STATE}


def many_relation(name, key):
    return (*relation_back(Contribution, name), key)


def keys_by_contribution(relation, ids):
    """{contribution id: [key, …]}, in the related model's own ordering, as a prefetch lists them."""
    model, lookup, key = relation
    keys = {}
    for contribution_id, value in model.objects.filter(**{f"{lookup}__in": ids}).values_list(lookup, key):
        keys.setdefault(contribution_id, []).append(value)
    return keys
