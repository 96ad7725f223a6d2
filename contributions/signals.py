"""Signal receivers: the Editors group, kept in sync after every migrate; contributions' search text,
kept in step with their descriptions and quotes; and the site-wide search index, kept in step with
every record.

One group governs both doors: the admin checks these permissions, and the API's
DjangoModelPermissions checks the same ones.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete, pre_save

from . import search
from .models import (
    CONTENT_MODELS,
    CapabilityRequest,
    Citation,
    Contribution,
    LineOfEffort,
    Meeting,
    Nation,
    Official,
    StatusEvent,
    first_event,
    search_document,
    supported_kind,
)
from .models.events import note_known_since
from .models.meetings import Figure, Participation
from .models.theatres import sync_theatres
from .verification import UNVERIFIED

EDITORS = "Editors"

# Delete only records nothing else points at; their own citations go with them and the history keeps
# a copy to restore. Sources, nations, officials and meetings are what other records refer to: the
# database refuses most of those deletes (PROTECT), and the rest would cascade to cited facts
# (a meeting's participations and figures, a nation's or official's citations). A duplicate is
# merged instead (contributions/merging.py): everything moves to the record kept, so editors may.
DELETABLE_MODELS = [
    "participation",
    "figure",
    "contribution",
    "capabilityrequest",
    "linelead",
    "citation",
    "rolestatement",
    "statusevent",
]


def editor_codenames():
    content = [model._meta.model_name for model in CONTENT_MODELS]
    codenames = {f"{action}_{model}" for model in content for action in ("add", "change", "view")}
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


def create_theatres(sender, using="default", **kwargs):
    """post_migrate handler: the theatre rows are vocabulary, so a flush (as in transactional tests)
    must not leave the table empty."""
    sync_theatres(using=using)


def index_contribution(sender, instance, **kwargs):
    """Before a contribution is written: its search text goes out in the same row."""
    # A new row has no citations yet; a fixture's row may already exist, so one with an id is looked up.
    quotes = (
        Citation.objects.filter(contribution_id=instance.pk)
        .with_words_text()
        .order_by("pk")
        .values_list("words_text", flat=True)
        if instance.pk
        else []
    )
    instance.search_text = search_document(instance.description, quotes)


def reindex_cited_contributions(sender, instance, **kwargs):
    moved_from = getattr(instance, "loaded_contribution_id", None)
    ids = {pk for pk in (instance.contribution_id, moved_from) if pk is not None}
    # Edited words are the words of every contribution sharing them.
    ids |= set(
        Citation.objects.filter(shares=instance.pk, contribution__isnull=False).values_list("contribution", flat=True)
    )
    if ids:
        Contribution.objects.filter(pk__in=ids).reindex()
    instance.loaded_contribution_id = instance.contribution_id


# Records whose search entry shows another record's name: renaming that one rewrites theirs too.
SHOWN_IN = {
    Nation: [
        (Contribution, "nation"),
        (Official, "nation"),
        (Participation, "nation"),
        (CapabilityRequest, "requested_by"),
        (LineOfEffort, "leads__partner"),
    ],
    Meeting: [(Contribution, "meeting"), (Figure, "meeting"), (Participation, "meeting")],
    Official: [(Contribution, "official")],
}
# The field of each of those that the other entries show.
SHOWN_NAME = {Nation: "name", Meeting: "title", Official: "name"}


def remember_shown_name(sender, instance, raw=False, **kwargs):
    """Before a nation, meeting or official is written: the name other entries show, to tell a rename."""
    if raw or instance.pk is None:
        return
    field = SHOWN_NAME[sender]
    instance.shown_name_before = sender.objects.filter(pk=instance.pk).values_list(field, flat=True).first()


def index_record(sender, instance, created=False, raw=False, **kwargs):
    """After a record is written: its search entry, and those showing its name, in the same transaction."""
    # loaddata's raw saves arrive before the records they refer to; load_curated rebuilds at the end.
    if raw:
        return
    search.index(sender, [instance.pk])
    # Most edits leave the name alone: rewriting a nation's every contribution entry for a note would
    # make a routine save cost as much as a rename.
    if created or sender not in SHOWN_NAME:
        return
    if getattr(instance, "shown_name_before", None) != getattr(instance, SHOWN_NAME[sender]):
        for model, link in SHOWN_IN[sender]:
            search.index(model, model.objects.filter(**{link: instance.pk}).values_list("pk", flat=True))


def unindex_record(sender, instance, **kwargs):
    search.index(sender, [instance.pk])


def index_whole(sender, instance, raw=False, **kwargs):
    """After a part of a record (a role statement, a line's lead) is written or deleted: the entry of the
    record it is part of."""
    if raw or getattr(instance, "indexed_with_whole", False):
        return
    whole, link = search.PART_OF[sender]
    search.index(whole, [getattr(instance, link)])


def start_events(sender, instance, created=False, raw=False, **kwargs):
    """After a contribution is created: its first status event, the state an editor entered, as of its
    announcement. A fixture brings its own events."""
    if created and not raw:
        event = first_event(instance)
        # Nothing new to find the contribution by: its entry was just written.
        event.indexed_with_whole = True
        event.save(keep_state=True)
        note_known_since(instance, event.date)


def cite_first_event(sender, instance, created=False, raw=False, **kwargs):
    """After a contribution's citation is created: its first event, while uncited, shares the words."""
    if raw or not created or not instance.contribution_id:
        return
    cited = Citation.objects.filter(status_event=OuterRef("pk"))
    events = StatusEvent.objects.filter(contribution_id=instance.contribution_id).annotate(cited=Exists(cited))
    event = events.in_order().first()
    if event is not None and not event.cited:
        shared = Citation(source_id=instance.source_id, shares_id=instance.shares_id or instance.pk, status_event=event)
        # The contribution's entry already holds these words.
        shared.indexed_with_whole = True
        shared.save()


def cited_record(citation):
    """(model, id) of the record a citation supports, read from its ids without loading the record."""
    kind = supported_kind(citation.__dict__)
    return kind and (Citation._meta.get_field(kind).related_model, citation.__dict__[f"{kind}_id"])


def remember_cited_record(sender, instance, raw=False, **kwargs):
    """Before a citation is written: the record it supported, whose entry loses its words if it moves."""
    before = Citation.objects.filter(pk=instance.pk).first() if instance.pk and not raw else None
    instance.previously_cited = before and cited_record(before)


def index_cited_record(sender, instance, raw=False, **kwargs):
    """After a citation is written or deleted: the entries of the record it supports (and supported)."""
    if raw or getattr(instance, "indexed_with_whole", False):
        return
    records = {cited_record(instance), getattr(instance, "previously_cited", None)}
    # Edited words are the words of every record sharing them.
    records |= {cited_record(sharer) for sharer in Citation.objects.filter(shares=instance.pk)}
    for model, pk in records - {None}:
        search.index(model, [pk])


def keep_shared_words(sender, instance, **kwargs):
    """Before a citation holding shared words is deleted (alone, or with its record): every citation
    sharing them gets its own copy, so no record loses its quote."""
    copy = {"shares": None, "quote": instance.quote, **{field: getattr(instance, field) for field in UNVERIFIED}}
    instance.former_sharers = list(instance.sharers.order_by("pk").values_list("pk", flat=True))
    Citation.objects.filter(pk__in=instance.former_sharers).update(**copy)


def share_kept_words(sender, instance, **kwargs):
    """After the delete: of the copies that survived it, the first holds the words and the rest share them."""
    survivors = list(Citation.objects.filter(pk__in=getattr(instance, "former_sharers", [])).order_by("pk"))
    if len(survivors) > 1:
        Citation.objects.filter(pk__in=[c.pk for c in survivors[1:]]).update(
            shares=survivors[0], quote="", **UNVERIFIED
        )


def connect(app_config):
    # Sent for this app after auth's own handler has created its permissions, so a fresh
    # database, including each test database, has the group.
    post_migrate.connect(create_editors_group, sender=app_config, dispatch_uid="contributions_editors_group")
    post_migrate.connect(create_theatres, sender=app_config, dispatch_uid="contributions_theatres")
    # Raw saves (loaddata) included: a fixture's citations arrive after their contributions.
    pre_save.connect(index_contribution, sender=Contribution, dispatch_uid="contribution_search_text")
    post_save.connect(reindex_cited_contributions, sender=Citation, dispatch_uid="citation_search_text_save")
    post_delete.connect(reindex_cited_contributions, sender=Citation, dispatch_uid="citation_search_text_delete")
    for model in search.KIND_OF_MODEL:
        post_save.connect(index_record, sender=model, dispatch_uid=f"search_index_save_{model.__name__}")
        post_delete.connect(unindex_record, sender=model, dispatch_uid=f"search_index_delete_{model.__name__}")
    for model in SHOWN_NAME:
        pre_save.connect(remember_shown_name, sender=model, dispatch_uid=f"search_shown_name_{model.__name__}")
    for model in search.PART_OF:
        post_save.connect(index_whole, sender=model, dispatch_uid=f"search_index_save_{model.__name__}")
        post_delete.connect(index_whole, sender=model, dispatch_uid=f"search_index_delete_{model.__name__}")
    post_save.connect(start_events, sender=Contribution, dispatch_uid="contribution_first_event")
    post_save.connect(cite_first_event, sender=Citation, dispatch_uid="citation_first_event")
    pre_save.connect(remember_cited_record, sender=Citation, dispatch_uid="search_index_citation_before")
    post_save.connect(index_cited_record, sender=Citation, dispatch_uid="search_index_citation_save")
    post_delete.connect(index_cited_record, sender=Citation, dispatch_uid="search_index_citation_delete")
    pre_delete.connect(keep_shared_words, sender=Citation, dispatch_uid="citation_keep_shared_words")
    post_delete.connect(share_kept_words, sender=Citation, dispatch_uid="citation_share_kept_words")
