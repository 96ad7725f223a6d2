"""/api/v1/search/: the site-wide search, as the researchers' search page runs it."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny

from contributions.forms import SearchForm
from contributions.models.search import SearchKind
from contributions.pagination import PageNumberPagination
from contributions.search import Results, Search


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SearchKind.choices, help_text="The kind of record found.")
    id = serializers.IntegerField(source="object_id", help_text="The record's id within its kind.")
    title = serializers.CharField(help_text="The record's name or summary.")
    web_url = serializers.SerializerMethodField(help_text="The record's page on the researchers' site.")
    snippet = serializers.SerializerMethodField(help_text="The best-matching passage, plain text.")
    snippet_html = serializers.SerializerMethodField(
        help_text="The same passage as HTML, escaped, with the matching words in <mark>."
    )

    def get_web_url(self, hit) -> str:
        return self.context["request"].build_absolute_uri(hit.url)

    def get_snippet(self, hit) -> str:
        return hit.snippet_text

    def get_snippet_html(self, hit) -> str:
        return str(hit.snippet_html)


class SearchPagination(PageNumberPagination):
    """The lists' pages, plus how many records of each kind match (set by the view as `counts`)."""

    counts = ()

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["counts"] = list(self.counts)
        return response

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["counts"] = {
            "type": "array",
            "description": "Matching records by kind, in the order the site shows them; kinds with none left out.",
            "items": {
                "type": "object",
                "properties": {"kind": {"type": "string", "enum": SearchKind.values}, "count": {"type": "integer"}},
                "required": ["kind", "count"],
            },
        }
        response["required"].append("counts")
        return response


@extend_schema(
    summary="Search every record and quote",
    parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, required=True, description="Words to find; every word must match."),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=SearchKind.values, description="Only this kind of record."),
    ],
)
class SearchView(generics.ListAPIView):
    """Contributions, meetings, officials, figures, capability requests, nations, participations and
    sources, found by their words and the quotes and notes citing them, best match first (the
    database's own full-text search, with stemming)."""

    serializer_class = SearchHitSerializer
    pagination_class = SearchPagination
    permission_classes = [AllowAny]
    filter_backends = []

    def get_queryset(self):
        form = SearchForm(self.request.query_params, kinds=SearchKind.choices)
        if not form.is_valid():
            errors = form.errors.get_json_data()
            raise ValidationError({name: [error["message"] for error in found] for name, found in errors.items()})
        found = Search(form.cleaned_data["q"], form.cleaned_data["kind"])
        counts = found.counts()
        self.paginator.counts = [{"kind": kind, "count": n} for kind, n in counts.items()]
        return Results(found, sum(counts.values()))
