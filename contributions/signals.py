"""The Editors group, defined here and kept in sync after every migrate.

One group governs both doors: the admin checks these permissions, and the API's
DjangoModelPermissions checks the same ones.
"""

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"

# Every content model: editors add, change and view all of them.
CONTENT_MODELS = [
    "source",
    "nation",
    "official",
    "meeting",
    "participation",
    "figure",
    "contribution",
    "capabilityrequest",
    "citation",
]

# Delete only records nothing else points at; their own citations go with them and the history keeps
# a copy to restore. Sources, nations, officials and meetings are what other records refer to: the
# database refuses most of those deletes (PROTECT), and the rest would cascade to cited facts
# (a meeting's participations and figures, a nation's or official's citations). Merging a duplicate
# is a job for a superuser.
DELETABLE_MODELS = ["participation", "figure", "contribution", "capabilityrequest", "citation"]


def editor_codenames():
    codenames = {f"{action}_{model}" for model in CONTENT_MODELS for action in ("add", "change", "view")}
    codenames |= {f"delete_{model}" for model in DELETABLE_MODELS}
    return codenames


def sync_editors_group(using="default"):
    """Create the group if needed and give it exactly the editors' permissions. Idempotent."""
    group, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    permissions = Permission.objects.using(using).filter(
        content_type__app_label="contributions", codename__in=editor_codenames()
    )
    group.permissions.set(permissions)
    return group


def create_editors_group(sender, using="default", **kwargs):
    """post_migrate handler: runs after auth has created this app's permissions."""
    sync_editors_group(using=using)
