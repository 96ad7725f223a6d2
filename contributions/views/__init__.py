"""The researchers' pages. Each is server-rendered, keeps its filters in the URL and runs a fixed
number of queries however much data there is (tests/test_web.py pins every count). The counting lives
in queries.py, the filters in filters/, the form pieces in forms.py; the views parse, call and render."""

from .contributions import contribution_detail, contribution_list
from .lines import line_detail, line_list
from .meetings import meeting_detail, meeting_list, source_detail, source_list
from .nations import nation_detail, nation_list, official_detail, official_list
from .overview import healthz, home, matrix, server_error
from .search import search_page

__all__ = [
    "contribution_detail",
    "contribution_list",
    "healthz",
    "home",
    "line_detail",
    "line_list",
    "matrix",
    "meeting_detail",
    "meeting_list",
    "nation_detail",
    "nation_list",
    "official_detail",
    "official_list",
    "search_page",
    "server_error",
    "source_detail",
    "source_list",
]
