"""Reads of the core app, always scoped to what the actor may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import CharField, F, IntegerField, Model, QuerySet, Value
from django.utils import timezone

from openisms.core import audit, authz
from openisms.core.actors import Actor, ServiceActor
from openisms.core.errors import NotFound, ValidationError
from openisms.core.lookups import Ids, unique_or_none
from openisms.core.models import ApiToken, AuditEvent, Membership, Organization, User
from openisms.core.prepared import Prepared


def organization_list(*, actor: Actor) -> QuerySet[Organization]:
    """The organisations the actor belongs to (all of them for the console)."""
    if isinstance(actor, ServiceActor):
        return Organization.objects.all()
    token = authz.token_of(actor)
    orgs = Organization.objects.filter(memberships__user=actor)
    return orgs.filter(pk=token.organization_id) if token else orgs


def memberships_of(user: User) -> QuerySet[Membership]:
    """A user's memberships with their organisations, for the switcher."""
    return Membership.objects.filter(user=user).select_related("organization")


def organization_get(*, actor: Actor, slug: str, permission: str = "org.view") -> Organization:
    """The organisation at ``slug`` if the actor holds ``permission`` there; else NotFound."""
    token = authz.token_of(actor)
    if token is not None and token.organization.slug == slug:
        org: Organization | None = token.organization  # read with the token: no query
    else:
        org = unique_or_none(Organization.objects.filter(slug=slug))
    if org is None:
        raise NotFound("No such organisation.")
    authz.require(actor, permission, org)
    return org


#: How many organisations an error lists by name.
KNOWN_LISTED = 10


def _known() -> str:
    slugs = list(Organization.objects.order_by("slug").values_list("slug", flat=True))
    if not slugs:
        return "none yet"
    more = len(slugs) - KNOWN_LISTED
    return ", ".join(slugs[:KNOWN_LISTED]) + (f" and {more} more" if more > 0 else "")


def organization_resolve(slug: str | None) -> Organization:
    """For the console: the organisation named, or the only one when there is one."""
    if slug:
        org = unique_or_none(Organization.objects.filter(slug=slug))
        if org is None:
            raise ValidationError.field("org", f"No organisation {slug!r}; known: {_known()}.")
        return org
    orgs = list(Organization.objects.order_by("slug")[:2])
    if len(orgs) == 1:
        return orgs[0]
    if not orgs:
        raise ValidationError.field("org", "There is no organisation yet; run `openisms demo`.")
    raise ValidationError.field(
        "org", f"Several organisations exist; pass --org with one of: {_known()}."
    )


def membership_list(*, actor: Actor, org: Organization) -> QuerySet[Membership]:
    """The members of ``org``, by e-mail."""
    authz.require(actor, "members.view", org)
    return (
        Membership.objects.filter(organization=org).select_related("user").order_by("user__email")
    )


def api_token_list(*, actor: Actor, org: Organization) -> QuerySet[ApiToken]:
    """The actor's own tokens in ``org``, newest first."""
    authz.require(actor, "tokens.manage", org)
    if isinstance(actor, ServiceActor):
        return ApiToken.objects.filter(organization=org).order_by("-created_at")
    return ApiToken.objects.filter(organization=org, user=actor).order_by("-created_at")


def api_token_get(*, actor: Actor, org: Organization, token_id: int) -> ApiToken:
    """One of the actor's tokens in ``org``, or NotFound."""
    token = api_token_list(actor=actor, org=org).select_related("user", "organization")
    found = token.filter(pk=token_id).first()
    if found is None:
        raise NotFound("No such token.")
    return found


@dataclass(frozen=True)
class AuditFilters:
    """Filters of the audit trail page and API; every one optional."""

    verb: str = ""
    actor: str = ""
    target: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def audit_event_list(
    *, actor: Actor, org: Organization, filters: AuditFilters | None = None
) -> QuerySet[AuditEvent]:
    """The organisation's audit events, newest first, filtered.

    ``target`` matches ``type:id`` exactly or, without a colon, the target's id or type.
    """
    authz.require(actor, "audit.view", org)
    f = filters or AuditFilters()
    events = AuditEvent.objects.filter(organization=org)
    if f.verb:
        events = (
            events.filter(verb__startswith=f.verb)
            if f.verb.endswith(".")
            else events.filter(verb=f.verb)
        )
    if f.actor:
        events = events.filter(actor__icontains=f.actor)
    if f.target:
        kind, _, ident = f.target.partition(":")
        if ident:
            events = events.filter(target_type=kind, target_id=ident)
        else:
            events = events.filter(target_id=kind) | events.filter(target_type=kind)
    if f.date_from:
        events = events.filter(created_at__gte=_day_start(f.date_from))
    if f.date_to:
        events = events.filter(created_at__lt=_day_start(f.date_to + dt.timedelta(days=1)))
    return events.order_by("-seq")


def audit_verbs(*, org: Organization) -> list[str]:
    """The distinct verbs recorded in ``org``, for the filter's choices.

    The trail only grows and each event's hash covers all before it, so the verbs are cached
    with the (sequence, hash) they were read up to: a request reads the head (one index
    lookup) and, when the trail grew, only the verbs of the newer events. A cached head whose
    hash no longer matches (another database behind the same cache) is read again in full.
    """
    key = f"openisms:audit-verbs:{org.pk}"
    events = AuditEvent.objects.filter(organization=org)
    head = audit.head(org)
    if head is None:
        return []
    cached: tuple[int, str, frozenset[str]] = cache.get(key, (0, "", frozenset()))
    # Three queries whether the cache holds or not, so a page's query count stays fixed.
    seen_up_to, verbs = cached[0], cached[2]
    if not events.filter(seq=seen_up_to, hash=cached[1]).exists():
        seen_up_to, verbs = 0, frozenset()
    newer = events.filter(seq__gt=seen_up_to).values_list("verb", flat=True).distinct()
    verbs = verbs | frozenset(newer)
    if (seen_up_to, cached[1]) != head:
        cache.set(key, (*head, verbs), timeout=None)
    return sorted(verbs)


T = TypeVar("T")

#: How long a value computed for one state of an organisation is kept at most: a safety net
#: for a change made outside the services (a repair in the database shell).
PER_CHANGE_TTL_SECONDS = 15 * 60


def computed_per_change(
    org: Organization, name: str, compute: Callable[[], T], *key_parts: object
) -> T:
    """``compute()``, computed once per change of ``org`` and kept in the cache.

    Every write of an organisation records an audit event, so the head of its trail (sequence
    and hash: one index lookup) names the state a value was computed from; any write changes
    the key. ``key_parts`` add what else the value depends on (today's date). The head is read
    before the value, so a value kept under a head is never older than that head.
    """
    seq, digest = audit.head(org) or (0, "")
    key = f"openisms:{name}:{org.pk}:{seq}:{digest}:{':'.join(map(str, key_parts))}"
    found: T | None = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, timeout=PER_CHANGE_TTL_SECONDS)
    return found


def listed(name: str) -> str:
    """The attribute a list's ``Prefetch(name, ..., to_attr=listed(name))`` fills: a plain
    list, where a prefetch into the related manager builds a query per object (a quarter of a
    10-row API call's time)."""
    return f"prefetched_{name}"


def prefetched(obj: Model, name: str) -> list[Any]:
    """The rows of ``obj.<name>``: from the list ``listed(name)`` prefetched, else from the
    related manager's prefetch cache, else read as usual."""
    found: list[Any] | None = obj.__dict__.get(listed(name))
    if found is not None:
        return found
    done: dict[str, Any] = getattr(obj, "_prefetched_objects_cache", {})
    if name in done:
        return list(done[name])
    return list(getattr(obj, name).all())


def grouped(links: QuerySet[Any], key: str, value: str, *ordering: str) -> dict[Any, list[Any]]:
    """The ``value`` of every row of ``links``, listed by ``key``, in ``ordering``.

    Sorted here rather than by the database: an ORDER BY on a joined table (the tag's name,
    the asset's number) makes the planner walk that table's whole index instead of reading
    the few links of one page (20 ms instead of 1 for ten risks).
    """
    found: dict[Any, list[Any]] = defaultdict(list)
    for row in sorted(links.order_by().values_list(*ordering, key, value)):
        found[row[-2]].append(row[-1])
    return found


@dataclass(frozen=True)
class LinkKind:
    """One kind of link read by ``LinksOf``: the rows of ``model`` whose ``near`` (a foreign
    key) is one of the ids, listing ``value`` in the order of ``number`` (an integer field;
    None: none) then ``text``."""

    model: type[Model]
    near: str
    value: str
    number: str | None
    text: str


class LinksOf:
    """What is linked to each of a list of ids, for several kinds of link: one prepared
    ``UNION ALL`` query (``core.prepared``), each kind's rows alike (its kind, the owner's id,
    the value, an integer and a text to sort by). What a page of the API reads for its rows.
    """

    def __init__(self, **kinds: LinkKind) -> None:
        self.kinds = kinds
        self.query = Prepared(self._rows, ids=Ids)

    def _rows(self, ids: Ids) -> QuerySet[Any, Any]:
        parts = [
            kind.model._default_manager.filter(**{f"{kind.near}__in_ids": ids})
            .order_by()
            .values(
                owner_id=F(f"{kind.near}_id"),
                kind=Value(name, output_field=CharField()),
                linked=F(kind.value),
                number=F(kind.number) if kind.number else Value(0, output_field=IntegerField()),
                text=F(kind.text),
            )
            for name, kind in self.kinds.items()
        ]
        return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]

    def __call__(self, ids: list[int]) -> dict[str, dict[int, list[Any]]]:
        """``{kind: {id: [value, ...]}}`` for every kind (sorted here, see ``grouped``)."""
        found: dict[str, dict[int, list[Any]]] = {name: defaultdict(list) for name in self.kinds}
        for row in sorted(self.query.rows(ids=ids), key=lambda row: (row["number"], row["text"])):
            found[row["kind"]][row["owner_id"]].append(row["linked"])
        return found

    def given(
        self, key: int, linked: Mapping[str, Iterable[Model]]
    ) -> dict[str, dict[int, list[Any]]]:
        """What ``__call__([key])`` reads once ``key``'s links are the objects ``linked`` (by
        kind, as just written; each with the fields its kind names, past the link's own
        foreign key): the same values in the same order, without reading them."""
        found: dict[str, dict[int, list[Any]]] = {name: {} for name in self.kinds}
        for name, objects in linked.items():
            kind = self.kinds[name]
            unique = {obj.pk: obj for obj in objects}.values()  # a link is written once
            number, text, value = (_far(path) for path in (kind.number, kind.text, kind.value))

            def order(obj: Model, number: str = number, text: str = text) -> tuple[int, str]:
                return (getattr(obj, number) if number else 0, getattr(obj, text))

            if unique:
                found[name][key] = [getattr(obj, value) for obj in sorted(unique, key=order)]
        return found


def _far(path: str | None) -> str:
    """``asset__number`` -> ``number``: a link's path as a field of the object it links."""
    return path.split("__", 1)[1] if path else ""


#: How many references ``held`` names before it counts the rest.
HELD_LISTED = 5


def held(one: str, many: str, refs: QuerySet[Any, str]) -> list[str]:
    """``refs`` (a query of references, in order) as "3 assets (A-0001, A-0002, A-0003)", or
    nothing when there are none: a ``member_leaving`` receiver's answer."""
    count = refs.count()
    if not count:
        return []
    named = ", ".join(refs[:HELD_LISTED])
    more = f" and {count - HELD_LISTED} more" if count > HELD_LISTED else ""
    return [f"{count} {one if count == 1 else many} ({named}{more})"]
