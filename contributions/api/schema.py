"""OpenAPI details drf-spectacular cannot infer: how related-record fields read and write, the error
bodies, conditional-request headers, and the spreadsheet media types."""

import copy

from django_filters import ModelMultipleChoiceFilter
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import SAFE_METHODS, DjangoModelPermissionsOrAnonReadOnly


class RecordFieldExtension(OpenApiSerializerFieldExtension):
    """Requests send the record's key; responses carry the compact object."""

    target_class = "contributions.api.fields.RecordField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        if direction == "request":
            schema = {"type": "string"}
            if field.key == "code":
                schema.update(minLength=2, maxLength=2, pattern="^[A-Za-z]{2}$")
            else:
                schema.update(pattern=r"^[-a-zA-Z0-9_]+$")
            return schema
        return auto_schema.resolve_serializer(field.ref, direction).ref


class IdRecordFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "contributions.api.fields.IdRecordField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "integer", "minimum": 1}
        component = ResolvedComponent(
            name="RecordRef",
            type=ResolvedComponent.SCHEMA,
            object="RecordRef",
            schema={
                "type": "object",
                "description": "A related record named by its id.",
                "properties": {
                    "id": {"type": "integer", "readOnly": True},
                    "url": {"type": "string", "format": "uri", "readOnly": True},
                },
                "required": ["id", "url"],
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


KEY_PATTERNS = {
    "country": "^[A-Za-z]{2}(,[A-Za-z]{2})*$",
    "slug": "^[-a-zA-Z0-9_]+(,[-a-zA-Z0-9_]+)*$",
}


class KeyFilterExtension(DjangoFilterExtension):
    """Filters choosing records by key (?nation=fr, ?meeting=brussels): an array of key strings.

    The stock extension would list every ISO country as an enum, or give up on filters with a method.
    """

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        # Work on a copy: the stock extension reads filter.field, which would cache a form field without
        # its label on the FilterSet class itself, and every later form (the web pages' too) would
        # inherit it.
        filter_field = copy.deepcopy(filter_field)
        filter_field.model = model
        key = filter_field.extra.get("to_field_name")
        if not isinstance(filter_field, ModelMultipleChoiceFilter) or key not in KEY_PATTERNS:
            return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        described = "ISO 3166-1 alpha-2 code, either case" if key == "country" else "Slug"
        help_text = filter_field.extra.get("help_text") or described
        description = f"{help_text} Repeat the parameter or separate values with commas; an unknown value is a 400."
        schema = {"type": "array", "items": {"type": "string", "pattern": KEY_PATTERNS[key]}}
        return [
            {
                "name": field_name,
                "in": "query",
                "required": False,
                "description": description,
                "schema": schema,
                "explode": True,
                "style": "form",
            }
        ]


ERROR = {
    "type": "object",
    "description": "What went wrong, in `detail`.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}

VALIDATION_ERROR = {
    "type": "object",
    "description": "Each bad field or parameter, named, with a list of what is wrong with it. "
    "Errors not tied to one field are under `non_field_errors`; a malformed body gives `detail`.",
    "additionalProperties": {},
    "example": {"nation": ["Select a valid choice. ZZ is not one of the available choices."]},
}

DELETE_CONFLICT = {
    "type": "object",
    "description": "Other records depend on this one, and nothing was deleted. `dependents` lists them (at most "
    "100; `count` says how many there are): records it would take with it (a meeting's participations and "
    "figures, their citations) and records that refer to it. The record's own citations are not dependents.",
    "properties": {
        "detail": {"type": "string"},
        "count": {"type": "integer"},
        "dependents": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "example": "participation"},
                    "id": {"type": "integer"},
                    "str": {"type": "string", "description": "The record as the admin names it."},
                    "url": {"type": "string", "format": "uri", "nullable": True},
                },
                "required": ["kind", "id", "str", "url"],
            },
        },
    },
    "required": ["detail", "count", "dependents"],
}

ERROR_RESPONSES = {
    "400": ("ValidationError", "Bad input: each bad field or query parameter is named with the reason."),
    "401": ("Error", "Credentials are missing (for a write) or invalid."),
    "403": ("Error", "The account may not make this change."),
    "404": ("Error", "No such record, or a page past the end."),
    "406": ("Error", "The Accept header asks for a format this endpoint does not produce."),
    "409": (
        "DeleteConflict",
        "Other records depend on this one (listed); nothing was deleted. Delete or reassign them first. "
        "Checked after If-Match: a missing or stale If-Match is a 428 or 412 first.",
    ),
    "412": ("Error", "If-Match did not match: the record changed since it was read. Fetch it again."),
    "428": ("Error", "If-Match is missing: GET the record and send its ETag back as If-Match."),
    "415": ("Error", "The request body's Content-Type is not JSON."),
    "429": ("Error", "Too many anonymous requests; retry after the number of seconds in Retry-After."),
}

ETAG_HEADER = {"ETag": {"schema": {"type": "string"}, "description": "Version tag for If-None-Match and If-Match."}}

IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "description": "The ETag of the version being changed, from a GET of the record. Without it the answer is 428; "
    "when it is no longer current the answer is 412. Either way nothing is written.",
    "schema": {"type": "string"},
}

CHANGE_REASON = {
    "name": "X-Change-Reason",
    "in": "header",
    "required": False,
    "description": "Why the change is made, in one line of at most 100 characters (UTF-8). The record's history "
    "keeps it with the change. Control characters, or a longer text, are a 400 naming the header, and nothing "
    "is written.",
    "schema": {"type": "string", "maxLength": 100},
}

IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "The ETag of a copy already held; 304 with no body when it is still current.",
    "schema": {"type": "string"},
}


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None or not path.startswith("/api/"):
            return operation
        self.register_error_components()
        self.complete_responses(operation["responses"])
        parameters = self.complete_parameters(operation.pop("parameters", []))
        if parameters:
            operation["parameters"] = parameters
        return operation

    def complete_responses(self, responses):
        reading = self.method == "GET"
        for response in responses.values():
            content = response.get("content", {})
            if not reading:
                # Writes answer in JSON; the spreadsheet formats are for reading.
                content.pop("text/csv", None)
            if "text/csv" in content:
                content["text/csv"]["schema"] = {"type": "string", "description": "CSV with a header row."}
            if "application/zip" in content:
                content["application/zip"]["schema"] = {"type": "string", "format": "binary"}
        for code in self.error_codes():
            name, description = ERROR_RESPONSES[code]
            ref = {"$ref": f"#/components/schemas/{name}"}
            responses.setdefault(code, {"description": description, "content": {"application/json": {"schema": ref}}})
        if (self.is_detail() and self.method in ("GET", "PUT", "PATCH")) or self.is_merge():
            responses["200"]["headers"] = ETAG_HEADER
        if "201" in responses:
            responses["201"]["headers"] = {**ETAG_HEADER, "Location": {"schema": {"type": "string", "format": "uri"}}}
        if self.is_detail() and reading:
            responses["304"] = {
                "description": "Not modified: If-None-Match holds the current ETag.",
                "headers": ETAG_HEADER,
            }

    def complete_parameters(self, parameters):
        if self.method != "GET":
            parameters = [p for p in parameters if p["name"] != "format"]
        for parameter in parameters:
            # Ids in paths: the router's regex makes drf-spectacular call them strings.
            if parameter["in"] == "path" and parameter["schema"].get("pattern") == r"^\d+$":
                parameter["schema"] = {"type": "integer"}
        if self.is_detail() and self.method == "GET":
            parameters.append(IF_NONE_MATCH)
        if self.checks_if_match():
            parameters.append(IF_MATCH)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            parameters.append(CHANGE_REASON)
        return parameters

    def get_auth(self):
        auths = super().get_auth()
        if self.anonymous_reads() and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    def anonymous_reads(self):
        # Reading needs no credentials under DjangoModelPermissionsOrAnonReadOnly either.
        return any(isinstance(p, DjangoModelPermissionsOrAnonReadOnly) for p in self.view.get_permissions())

    def is_detail(self):
        return self.path.endswith("}/")

    def is_merge(self):
        # POST …/{key}/merge/ changes the record named in the path, under the same If-Match rule.
        return self.method == "POST" and self.path.endswith("}/merge/")

    def checks_if_match(self):
        return (self.is_detail() and self.method in ("PUT", "PATCH", "DELETE")) or self.is_merge()

    def error_codes(self):
        detail = self.is_detail()
        codes = ["400", "401", "406", "429"]
        if self.method not in ("GET", "HEAD"):
            codes += ["403", "415"]
        elif not self.anonymous_reads():
            codes.append("403")  # a record's history: for editors
        if self.method == "GET" and not detail and self._is_list_view() and self._get_paginator():
            codes.append("404")
        if "}/" in self.path:  # a record's detail, or its history
            codes.append("404")
        if self.checks_if_match():
            codes += ["412", "428"]
        if self.method == "DELETE":
            codes.append("409")
            codes.remove("415")
        return codes

    def register_error_components(self):
        components = (("Error", ERROR), ("ValidationError", VALIDATION_ERROR), ("DeleteConflict", DELETE_CONFLICT))
        for name, schema in components:
            self.registry.register_on_missing(
                ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
            )

    def map_parsers(self):
        # Form and multipart bodies are accepted for the browsable API's forms; JSON is the documented way.
        return ["application/json"]
