"""The whole dataset in one download, its data dictionary, the ReDoc page, and JSON 404s under /api/."""

from django.http import HttpResponse, JsonResponse
from django.template import Context, Template
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer, StaticHTMLRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from contributions import tables
from contributions.exports import export_zip, stream_csv

from .renderers import CSVRenderer, ZipRenderer
from .views import FormatMixin

EXPORT_SCHEMA = {
    "type": "object",
    "properties": {
        "generated": {"type": "string", "format": "date-time"},
        "dictionary": {"type": "string", "format": "uri", "description": "The data dictionary."},
        "tables": {
            "type": "object",
            "description": "One array of flat rows per table, columns as in the data dictionary.",
            "properties": {
                table.name: {"type": "array", "items": {"type": "object", "additionalProperties": {}}}
                for table in tables.TABLES
            },
        },
    },
    "required": ["generated", "dictionary", "tables"],
}


class ExportView(FormatMixin, APIView):
    """The whole dataset in one download: a JSON bundle of every table (the default, or ?format=json),
    or ?format=zip for one CSV per table plus dictionary.csv."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, ZipRenderer]

    @extend_schema(
        summary="Download the full dataset",
        responses={
            (200, "application/json"): EXPORT_SCHEMA,
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="One CSV per table."),
        },
    )
    def get(self, request):
        stamp = timezone.now()
        if request.accepted_renderer.format == ZipRenderer.format:
            filename = f"coalition-contributions-{stamp:%Y-%m-%d}.zip"
            response = HttpResponse(export_zip(), content_type=ZipRenderer.media_type)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return Response(
            {
                "generated": stamp,
                "dictionary": reverse("api:export-dictionary", request=request),
                "tables": {table.name: list(table.rows()) for table in tables.TABLES},
            }
        )


class DictionaryView(FormatMixin, APIView):
    """Every table and column of the export and the CSV lists: type, meaning and allowed values."""

    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        summary="The data dictionary",
        responses={
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR),
        },
    )
    def get(self, request):
        if self.wants_csv:
            return stream_csv(tables.dictionary_rows(), tables.DICTIONARY_FIELDNAMES, "dictionary.csv")
        return Response(tables.dictionary())


REDOC_PAGE = Template(
    """<!DOCTYPE html>
<html>
  <head>
    <title>{{ title }}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <style>body { margin: 0; padding: 0; }</style>
  </head>
  <body>
    <redoc spec-url="{{ schema_url }}"></redoc>
    <script src="{{ redoc_standalone }}"></script>
  </body>
</html>
"""
)


class RedocView(SpectacularRedocView):
    """ReDoc served wholly from this site: drf-spectacular's own page also pulls fonts from Google."""

    renderer_classes = [StaticHTMLRenderer]

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        context = super().get(request, *args, **kwargs).data
        return Response(REDOC_PAGE.render(Context(context)))


@csrf_exempt  # it changes nothing, and a PUT to a mistyped address should hear 404, not a CSRF page
def not_found(request, *args, **kwargs):
    """Unknown addresses under the API answer in JSON, like everything else there."""
    return JsonResponse({"detail": "Not found."}, status=404)
