from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path, re_path

from contributions import tokens
from contributions.api.export import not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page's <link> says.
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("favicon.svg"))),
    path("account/tokens/", tokens.tokens, name="account-tokens"),
    path("api/v1/", include("contributions.api.urls")),
    # Other API versions and typos under /api/ answer in JSON too.
    re_path(r"^api/", not_found),
    path("", include("contributions.urls")),
]

handler500 = "contributions.views.server_error"
