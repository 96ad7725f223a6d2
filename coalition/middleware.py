from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponseBadRequest, JsonResponse
from django.template.response import TemplateResponse


class DatabaseUnavailableMiddleware:
    """Answer 503 when the database cannot be reached, instead of a 500 with a traceback in the logs.

    The connection is closed so the next request reconnects: with CONN_HEALTH_CHECKS the app recovers
    by itself once the database is back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": "The database is unavailable. Try again shortly."}, status=503)
        else:
            response = TemplateResponse(request, "503.html", status=503)
        response["Retry-After"] = "30"
        return response


class NulInQueryMiddleware:
    """Answer 400 to a query string holding a NUL byte, before any view passes it to a database.

    PostgreSQL cannot hold a NUL in text, so `?source__outlet=%00` in an admin list or an autocomplete
    `term` raised ValueError there (500); no parameter of this site has a use for one.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in value for value in values):
                message = f"The query parameter “{name.replace(chr(0), '')}” contains a NUL character."
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=400)
                return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
