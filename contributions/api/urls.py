from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import events, export, lines, partners, search, views

# Namespaced: the researchers' pages already use names like "nation-detail".
app_name = "api"

router = DefaultRouter()
# ?format= selects the format; .csv suffixes would double every route in the schema.
router.include_format_suffixes = False
router.register("nations", partners.NationViewSet)
# The same records under the name they share with organizations, keyed by slug.
router.register("partners", partners.PartnerViewSet, basename="partner")
router.register("role-statements", partners.RoleStatementViewSet, basename="role-statement")
router.register("officials", views.OfficialViewSet)
router.register("meetings", views.MeetingViewSet)
router.register("participations", views.ParticipationViewSet)
router.register("figures", views.FigureViewSet)
router.register("contributions", views.ContributionViewSet)
router.register("status-events", events.StatusEventViewSet, basename="status-event")
router.register("capability-requests", views.CapabilityRequestViewSet, basename="capability-request")
router.register("citations", views.CitationViewSet)
router.register("sources", views.SourceViewSet)
router.register("summary", views.SummaryViewSet, basename="summary")
router.register("lines", lines.LineOfEffortViewSet, basename="line")
router.register("line-leads", lines.LineLeadViewSet, basename="line-lead")

# Swagger UI and ReDoc style their elements inline as they render, and ReDoc searches in a worker it
# builds from a blob. Their scripts stay files from this site: the split Swagger view serves its
# start-up script as a file rather than inline.
swagger_policy = csp_update({"style-src": [UNSAFE_INLINE]})
redoc_policy = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

urlpatterns = [
    path("export/", export.ExportView.as_view(), name="export"),
    path("export/dictionary/", export.DictionaryView.as_view(), name="export-dictionary"),
    path("search/", search.SearchView.as_view(), name="search"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", swagger_policy(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
    path("redoc/", redoc_policy(export.RedocView.as_view(url_name="api:schema")), name="redoc"),
    *router.urls,
    # Last: anything else under /api/v1/ is a JSON 404, not the site's HTML page.
    re_path(r"", export.not_found),
]
