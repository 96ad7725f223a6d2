"""Each editor's own API tokens: made and revoked on /account/tokens/, the key shown once.

django-rest-knox keeps only a hash of each key, so a key that was not copied when it was made is gone
for good: revoke it and make another.
"""

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from knox.models import AuthToken


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    new_key = None
    if request.method == "POST":
        if "create" in request.POST:
            _, new_key = AuthToken.objects.create(user=request.user)
        elif "revoke" in request.POST:
            # Only one's own: another editor's token is a 404, as if it did not exist.
            get_object_or_404(AuthToken, user=request.user, digest=request.POST["revoke"]).delete()
            messages.success(request, "The token was revoked: it no longer opens the API.")
            return redirect("account-tokens")
    context = {
        **admin.site.each_context(request),
        "title": "Your API tokens",
        "tokens": AuthToken.objects.filter(user=request.user).order_by("-created"),
        # Rendered in this response only, never stored: the page after a reload no longer has it.
        "new_key": new_key,
    }
    return TemplateResponse(request, "account/tokens.html", context)
