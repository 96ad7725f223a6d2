"""The lines of effort: their list and each line's page."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from .. import queries
from ..filters import LineOfEffortFilter, as_of_date
from ..models.lines import LineLead, LineOfEffort
from .helpers import cited, contributions_url, form_errors


def line_list(request):
    # Queries: the lines with their counts of contributions and requests (1); their leads and partners (1).
    # The API's filter, so ?as_of= counts what was known then, and ?partner= picks the lines a partner leads.
    filterset = LineOfEffortFilter(request.GET, queryset=queries.lines_with_counts(LineOfEffort.objects.with_leads()))
    context = {"as_of_form": filterset.form, "as_of": as_of_date(filterset)}
    if not filterset.is_valid():
        context["errors"] = form_errors(filterset.form)
        return render(request, "contributions/line_list.html", context, status=400)
    return render(request, "contributions/line_list.html", {**context, "lines": list(filterset.qs)})


def line_detail(request, slug):
    # Queries: the line (1); its leads with their partners (1) and the leads' citations (1); its own
    # citations (1); the contributions serving it and their citations (2); the requests serving it
    # and their citations (2).
    leads = LineLead.objects.select_related("partner").prefetch_related(cited())
    line = get_object_or_404(LineOfEffort.objects.prefetch_related(Prefetch("leads", queryset=leads)), slug=slug)
    context = {
        "line": line,
        "leads": line.leads.all(),
        "citations": list(line.citations.select_related("source")),
        "contributions": list(line.contributions.with_related()),
        "requests": list(line.requests.with_related()),
        "contributions_url": contributions_url(line=line.slug),
    }
    return render(request, "contributions/line_detail.html", context)
