from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Partners, countries and organizations alike. /nations/ is their first address, kept as an alias:
    # the same pages, each naming its /partners/ address as canonical.
    path("partners/", views.nation_list, name="partner-list"),
    path("partners/<slug:slug>/", views.nation_detail, name="partner-detail"),
    path("nations/", views.nation_list, name="nation-list"),
    path("nations/<slug:slug>/", views.nation_detail, name="nation-detail"),
    path("contributions/", views.contribution_list, name="contribution-list"),
    path("contributions/<int:pk>/", views.contribution_detail, name="contribution-detail"),
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/<slug:slug>/", views.meeting_detail, name="meeting-detail"),
    path("officials/", views.official_list, name="official-list"),
    path("officials/<slug:slug>/", views.official_detail, name="official-detail"),
    path("lines/", views.line_list, name="line-list"),
    path("lines/<slug:slug>/", views.line_detail, name="line-detail"),
    path("matrix/", views.matrix, name="matrix"),
    path("search/", views.search_page, name="search"),
    path("sources/", views.source_list, name="source-list"),
    path("sources/<slug:slug>/", views.source_detail, name="source-detail"),
]
