"""The site-wide search page: every kind of record, grouped, or one kind a page at a time."""

from django.core.paginator import Paginator
from django.shortcuts import render

from ..cache import cached_page
from ..forms import SearchForm
from ..models.search import SearchKind
from ..search import Results, Search
from .helpers import form_errors

BEST_OF_EACH_KIND = 5
PAGE_SIZE = 20


@cached_page
def search_page(request):
    # Queries: the counts by kind (1), then the best of each kind (1) or one page of one kind (1).
    form = SearchForm(request.GET or None, kinds=SearchKind.choices)
    context = {"search_form": form, "query": request.GET.get("q", "")}
    if not request.GET.get("q", "").strip():
        return render(request, "contributions/search.html", context)
    if not form.is_valid():
        context["errors"] = form_errors(form)
        return render(request, "contributions/search.html", context, status=400)
    query, kind = form.cleaned_data["q"], form.cleaned_data["kind"]
    found = Search(query, kind)
    counts = found.counts()
    context.update(
        kind=kind,
        kind_label=SearchKind(kind).label if kind else "",
        total=sum(counts.values()),
        groups=[{"kind": k, "label": SearchKind(k).label, "count": n} for k, n in counts.items()],
        searched=bool(found.words),
    )
    if kind:
        paginator = Paginator(Results(found, counts.get(kind, 0)), PAGE_SIZE)
        context["page_obj"] = paginator.get_page(form.cleaned_data["page"] or 1)
        context["hits"] = list(context["page_obj"])
    else:
        hits = found.best_of_each_kind(BEST_OF_EACH_KIND, kinds=list(counts))
        for group in context["groups"]:
            group["hits"] = [hit for hit in hits if hit.kind == group["kind"]]
    return render(request, "contributions/search.html", context)
