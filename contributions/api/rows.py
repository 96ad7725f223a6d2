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

    def values(self, queryset):
        """The queryset as the values this needs; paginate it, then pass the page to rows()."""
        # As of a date, the state then is in `status_then` and the like (ContributionQuerySet.as_of).
        self.state = {name: queryset.state_field(name) for name in STATE}
        names = [self.state.get(name, name) for name in self.plain]
        related = [f"{name}__{field.attname}" for name, fields in self.refs.items() for field in fields]
        wanted = dict.fromkeys(["id", *names, *self.state.values(), "quantity_before", "unit", *related])
        return queryset.prefetch_related(None).values(*wanted)

    def rows(self, page):
        ids = [values["id"] for values in page]
        many = {name: keys_by_contribution(relation, ids) for name, relation in self.many.items()}
        return [self.row(values, many) for values in page]

    def row(self, values, many):
        state = {name: values[column] for name, column in self.state.items()}
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
        if values[f"{name}__{model._meta.pk.attname}"] is None:
            return None
        # RecordField keeps each record's representation for the response, so a page's few distinct
        # nations and officials are built once.
        record = model.from_db(None, [f.attname for f in fields], [values[f"{name}__{f.attname}"] for f in fields])
        return field.to_representation(record)


CONCRETE = {field.name for field in Contribution._meta.concrete_fields}


def many_relation(name, key):
    return (*relation_back(Contribution, name), key)


def keys_by_contribution(relation, ids):
    """{contribution id: [key, …]}, in the related model's own ordering, as a prefetch lists them."""
    model, lookup, key = relation
    keys = {}
    for contribution_id, value in model.objects.filter(**{f"{lookup}__in": ids}).values_list(lookup, key):
        keys.setdefault(contribution_id, []).append(value)
    return keys
