from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    """Liveness and database check for load balancers and the Docker HEALTHCHECK."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# Placeholders until the researchers' pages land (issue 4); they keep URL reversing working.
def _placeholder(request, *args, **kwargs):
    return HttpResponse("Coalition Contributions Tracker")


home = nation_list = nation_detail = contribution_list = contribution_detail = _placeholder
meeting_list = meeting_detail = official_list = official_detail = matrix = _placeholder
source_list = source_detail = _placeholder
