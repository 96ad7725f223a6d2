from django.db import InterfaceError, OperationalError, connections
from django.http import JsonResponse
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
