"""Reads that span relations, shared by pages, reports and exports."""
import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Aggregate, Count, OuterRef, Q, QuerySet, Subquery, TextField
from django.db.models.functions import JSONArray

from crm import scoring
from crm.generic import registry
from crm.models import BusinessContact, CriterionMet, HistoryItem, HistoryLink, ListValue, ScoringCriterion
from crm.models.categories import text_colour_on


def active_users() -> QuerySet:
    """Everyone who shares the database: the "Assigned to" choices."""
    User = get_user_model()
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def _ct(model) -> ContentType:
    return ContentType.objects.get_for_model(model, for_concrete_model=True)


class JSONGroupArray(Aggregate):
    """The aggregated values as one JSON array, as text (SQLite ``json_group_array``,
    PostgreSQL ``json_agg``)."""

    function = "JSON_GROUP_ARRAY"
    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection, function="JSON_AGG", **extra_context)
        return f"({sql})::text", params


def history_item_ids(record) -> QuerySet:
    """Ids of the items on ``record``'s History page: its own links, and those
    of the records that roll up into it (a contact's items on its account, an
    opportunity's on its account or contact).

    One UNION branch per linked record type: each branch is an index lookup,
    where one OR across types made PostgreSQL scan every link (2 s at 1M items).
    """
    ids = HistoryLink.objects.filter(content_type=_ct(type(record)), object_id=record.pk).values("item_id")
    for rollup in registry.rollups_into(type(record)):
        children = rollup.child_model._base_manager.filter(**{rollup.fk: record.pk}).values("pk")
        ids = ids.union(
            HistoryLink.objects.filter(content_type=_ct(rollup.child_model), object_id__in=children).values("item_id")
        )
    return ids


def contacted_since(model, since) -> QuerySet:
    """Ids of ``model``'s records with a history item on or after ``since``:
    linked to them, or to a record that rolls up into them (an opportunity's
    phone log counts for its business contact). A UNION of index lookups from
    the recent items (the newest-first index), for ``pk__in``/``exclude``."""
    recent = HistoryItem.objects.filter(occurred_at__gte=since).values("pk")
    ids = HistoryLink.objects.filter(content_type=_ct(model), item__in=recent).values("object_id")
    for rollup in registry.rollups_into(model):
        children = HistoryLink.objects.filter(content_type=_ct(rollup.child_model), item__in=recent).values("object_id")
        # No NULL in the set: "NOT IN" a set with a NULL matches nothing.
        ids = ids.union(rollup.child_model._base_manager.filter(pk__in=children, **{f"{rollup.fk}__isnull": False})
                        .values(rollup.fk))
    return ids


def history_for_record(record, kind: str | None = None) -> QuerySet:
    """The History page of a record, newest first."""
    items = HistoryItem.objects.filter(pk__in=history_item_ids(record))
    if kind:
        items = items.filter(kind=kind)
    return items.select_related("author", "assigned_to").order_by("-occurred_at", "-id")


LINK_KEYS = "link_keys"


def link_keys() -> Subquery:
    """An item's links as ``[[content type id, object id], …]`` (JSON text):
    annotated as ``LINK_KEYS`` on a page of items, so their links come in the
    items' query (attach_linked_records)."""
    return Subquery(HistoryLink.objects.filter(item=OuterRef("pk")).order_by().values("item")
                    .annotate(keys=JSONGroupArray(JSONArray("content_type_id", "object_id"))).values("keys"))


def attach_linked_records(items, known=()) -> list[HistoryItem]:
    """Set ``item.linked`` — [(record type, record)] — on every item, in a few
    queries (one per record type, and one for the links unless the items carry
    ``LINK_KEYS``) whatever the number of items. Records in ``known`` (e.g. the
    one whose History this is) are not read again."""
    items = list(items)
    if items and hasattr(items[0], LINK_KEYS):
        links = [(item.pk, ct_id, object_id) for item in items
                 for ct_id, object_id in json.loads(getattr(item, LINK_KEYS) or "[]")]
    else:
        links = HistoryLink.objects.filter(item__in=items).values_list("item_id", "content_type_id", "object_id")
    wanted: dict[int, set[int]] = {}
    by_item: dict[int, list[tuple[int, int]]] = {}
    for item_id, ct_id, object_id in links:
        wanted.setdefault(ct_id, set()).add(object_id)
        by_item.setdefault(item_id, []).append((ct_id, object_id))
    records: dict[tuple[int, int], tuple] = {}
    for obj in known:
        key = (_ct(type(obj)).pk, obj.pk)
        if obj.pk in wanted.get(key[0], ()):
            wanted[key[0]].discard(obj.pk)
            records[key] = (registry.for_instance(obj), obj)
    for ct_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None or not ids:
            continue
        for obj in model._base_manager.filter(pk__in=ids):
            try:
                records[(ct_id, obj.pk)] = (registry.for_instance(obj), obj)
            except LookupError:
                continue
    for item in items:
        linked = [records[key] for key in by_item.get(item.pk, []) if key in records]
        item.linked = sorted(linked, key=lambda pair: (str(pair[0].verbose_name), str(pair[1])))
    return items


def linked_records(item: HistoryItem) -> list[tuple[registry.RecordType, object]]:
    """The records an item is linked to, each with its record type."""
    return attach_linked_records([item])[0].linked


CATEGORY_BADGES = "category_badges"


@dataclass(frozen=True, order=True)
class Badge:
    name: str
    colour: str

    @property
    def text_colour(self) -> str:
        return text_colour_on(self.colour)


def category_badges(model) -> Subquery:
    """A record's categories as ``[[name, colour], …]`` (JSON text, or None for
    none): annotated on a list page's rows, so the badges come in the rows'
    query instead of one of their own (a round trip on PostgreSQL)."""
    through = model._meta.concrete_model._meta.get_field("categories").remote_field.through
    source = f"{model._meta.concrete_model._meta.model_name}_id"
    return Subquery(through.objects.filter(**{source: OuterRef("pk")}).order_by().values(source)
                    .annotate(badges=JSONGroupArray(JSONArray("category__name", "category__colour")))
                    .values("badges"))


def attach_categories(records) -> list:
    """Set ``record.list_categories`` (badges, by name) on a page of records
    annotated with ``category_badges`` as ``CATEGORY_BADGES``."""
    records = list(records)
    for record in records:
        badges = getattr(record, CATEGORY_BADGES)
        record.list_categories = sorted(Badge(name, colour) for name, colour in json.loads(badges)) if badges else []
    return records


def list_value_relations() -> list[tuple[type, str]]:
    """Every (model, field name) whose foreign key points at a list value."""
    return [
        (relation.related_model, relation.field.name)
        for relation in ListValue._meta.get_fields(include_hidden=True)
        if relation.auto_created and relation.one_to_many
    ]


def list_value_usage(value: ListValue) -> int:
    """How many records use a list value (to ask for a replacement before deleting)."""
    return sum(model._base_manager.filter(**{name: value}).count() for model, name in list_value_relations())


def list_values(kind: str) -> QuerySet:
    return ListValue.objects.filter(kind=kind).order_by("position", "name")


def people_with_email(address: str) -> QuerySet:
    """Leads and business contacts with ``address`` as one of their e-mail
    addresses (any case): the records a new lead from that sender would repeat."""
    from django.db.models import Q

    from crm.models import BusinessContact

    address = (address or "").strip()
    if not address:
        return BusinessContact.objects.none()
    return (BusinessContact.objects.filter(Q(email__iexact=address) | Q(email2__iexact=address) | Q(email3__iexact=address))
            .select_related("account").order_by("is_lead", "full_name", "pk"))


# --- Sign-in locks (django-axes' failed attempts) ------------------------------

@dataclass(frozen=True)
class SignInLock:
    """An account or an address that may not sign in until ``until``."""

    kind: str  # "account" or "address"
    value: str
    failures: int
    until: datetime.datetime


def signin_locks() -> list[SignInLock]:
    """The accounts, then the addresses, locked now: those with at least
    ``AXES_FAILURE_LIMIT`` failed sign-ins counted within the cool-off time
    (axes counts the failures of a row whose last try is that recent). Two
    queries, whatever the number of rows."""
    from django.conf import settings
    from django.db.models import Max, Sum
    from django.utils import timezone

    from axes.models import AccessAttempt

    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    locks = []
    for kind, column, attempts in (("account", "username", recent.filter(username__isnull=False).exclude(username="")),
                                   ("address", "ip_address", recent.filter(ip_address__isnull=False))):
        rows = (attempts.values(column).annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
                .filter(failures__gte=settings.AXES_FAILURE_LIMIT).order_by(column))
        locks += [SignInLock(kind, row[column], row["failures"], row["last"] + settings.AXES_COOLOFF_TIME) for row in rows]
    return locks


# --- Lead scoring ----------------------------------------------------------------

def criterion_delete_effect(criterion: ScoringCriterion) -> dict[str, int]:
    """What deleting ``criterion`` does, for its confirmation page.

    Every lead and business contact with an automatic score is re-scored
    (the weights of all criteria change, ``crm.services.lead_rescore_all``);
    manual scores stand. ``ticked_*`` count the records whose tick goes with
    the criterion. Two aggregate queries, whatever the number of records.
    """
    automatic = BusinessContact.objects.filter(score_type=BusinessContact.ScoreType.AUTOMATIC).aggregate(
        leads=Count("pk", filter=Q(is_lead=True)), contacts=Count("pk", filter=Q(is_lead=False)))
    ticked = CriterionMet.objects.filter(criterion=criterion).aggregate(
        leads=Count("pk", filter=Q(contact__is_lead=True)), contacts=Count("pk", filter=Q(contact__is_lead=False)))
    return {"rescored_leads": automatic["leads"], "rescored_contacts": automatic["contacts"],
            "ticked_leads": ticked["leads"], "ticked_contacts": ticked["contacts"]}


def score_of(*, criteria_ids: Iterable[int], score_type: str, manual_score: int | None) -> int:
    """The stars of a lead or business contact with these criteria ticked and
    this score type and manual score, computed as saving it computes them
    (``scoring.automatic_score`` of the ticked weights, as in
    ``crm.services.person_save``, then ``scoring.effective_score``, as in
    the model's ``clean``): what its form shows while it is filled in. Ids of
    no criterion (one deleted meanwhile) count as not ticked. One query."""
    weights = dict(ScoringCriterion.objects.values_list("pk", "weight"))
    ticked = set(criteria_ids)
    automatic = scoring.automatic_score([weight for pk, weight in weights.items() if pk in ticked], weights.values())
    return scoring.effective_score(score_type, manual_score, automatic)
