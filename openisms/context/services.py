"""Writes of the context app: the scope and its approval, issues, parties, obligations.

Every write checks the actor's permission (``context.change``; approving and returning the
scope need ``context.approve``), cleans the whole record (errors name their fields), refuses
a stale ``version`` with a Conflict, and records the changed fields in the audit trail.
Owners are given by e-mail and must be members of the organisation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from openisms.context.checks import Checker, known
from openisms.context.choices import (
    CATEGORIES_BY_KIND,
    OPEN_SCOPE_STATUSES,
    IssueCategory,
    IssueEffect,
    IssueKind,
    IssueStatus,
    ObligationKind,
    ObligationStatus,
    PartyKind,
    Relevance,
    ScopeStatus,
)
from openisms.context.models import (
    InterestedParty,
    Issue,
    Obligation,
    PartyRequirement,
    ScopeStatement,
)
from openisms.core import audit, authz, refs
from openisms.core.actors import Actor, actor_label
from openisms.core.errors import Conflict, ValidationError
from openisms.core.models import Organization

M = TypeVar("M", bound=models.Model)
Cleaner = Callable[[Organization, Mapping[str, Any]], dict[str, Any]]

CHANGE = "context.change"
APPROVE = "context.approve"

SCOPE_TEXT_FIELDS = (
    "summary",
    "text",
    "organisational_boundaries",
    "physical_boundaries",
    "technological_boundaries",
    "locations",
    "interfaces",
)
SCOPE_FIELDS = (*SCOPE_TEXT_FIELDS, "exclusions")
ISSUE_FIELDS = (
    "title",
    "description",
    "kind",
    "category",
    "effect",
    "effect_description",
    "owner",
    "review_date",
    "status",
)
PARTY_FIELDS = ("name", "kind", "description", "relevance")
REQUIREMENT_FIELDS = ("text", "addressed", "how", "obligation")
OBLIGATION_FIELDS = (
    "name",
    "kind",
    "jurisdiction",
    "counterparty",
    "source",
    "source_url",
    "owner",
    "description",
    "status",
    "review_date",
)
_ISSUE_DEFAULTS = {"effect": IssueEffect.NEUTRAL, "status": IssueStatus.OPEN}
_PARTY_DEFAULTS = {"relevance": Relevance.MEDIUM}
_REQUIREMENT_DEFAULTS = {"addressed": False}
_OBLIGATION_DEFAULTS = {"status": ObligationStatus.ACTIVE}


# --- shared steps ---------------------------------------------------------------------------


def snapshot(obj: models.Model, fields: Sequence[str]) -> dict[str, Any]:
    """The record's values as an interface sends them: owners as e-mail, obligations as ref."""
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if name == "owner":
            value = value.email if value is not None else ""
        elif name == "obligation":
            value = value.ref if value is not None else ""
        values[name] = value
    return values


def _lock(obj: M) -> M:
    """The row again, locked until the transaction ends (its organisation kept)."""
    locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    locked.organization = obj.organization  # type: ignore[attr-defined]
    return locked


def _change(
    obj: models.Model,
    *,
    version: int | None,
    changes: Mapping[str, Any],
    fields: Sequence[str],
    clean: Cleaner,
    what: str,
) -> dict[str, list[Any]]:
    """Check ``version``, clean the record with ``changes`` applied, save; the changed fields.

    Nothing is saved (and the version stays) when nothing changed.
    """
    refs.check_version(obj, version, what)  # type: ignore[arg-type]
    before = snapshot(obj, fields)
    cleaned = clean(obj.organization, {**before, **known(changes, fields)})  # type: ignore[attr-defined]
    for name, value in cleaned.items():
        setattr(obj, name, value)
    diff = audit.changes(before, snapshot(obj, fields))
    if diff:
        obj.save()
    else:
        obj.version -= 1  # type: ignore[attr-defined]
    return diff


def _created(actor: Actor, verb: str, obj: models.Model, fields: Sequence[str]) -> None:
    audit.record(actor=actor, verb=verb, target=obj, data=audit.changes({}, snapshot(obj, fields)))


def _deleted(actor: Actor, verb: str, obj: models.Model, fields: Sequence[str]) -> None:
    audit.record(actor=actor, verb=verb, target=obj, data=audit.changes(snapshot(obj, fields), {}))


# --- scope statement (clause 4.3) -----------------------------------------------------------


def _clean_scope(org: Organization, data: Mapping[str, Any]) -> dict[str, Any]:
    check = Checker(org)
    clean: dict[str, Any] = {
        name: check.text(data, name, max_length=300 if name == "summary" else 0)
        for name in SCOPE_TEXT_FIELDS
    }
    clean["exclusions"] = check.exclusions(data, "exclusions")
    check.done()
    return clean


def _next_scope_number(org: Organization) -> int:
    """The next version number; it locks the organisation's counter until the transaction ends,
    so two people starting a draft at once are served one after the other."""
    return int(refs.next_ref(org, "SCOPE").rpartition("-")[2])


def _approved_scope(org: Organization) -> ScopeStatement | None:
    return ScopeStatement.objects.filter(organization=org, status=ScopeStatus.APPROVED).first()


@transaction.atomic
def scope_draft_create(*, actor: Actor, org: Organization, **fields: Any) -> ScopeStatement:
    """Start the next version as a draft: a copy of the approved scope, with ``fields`` applied.

    There is at most one open version (draft or in review); starting another is a Conflict.
    """
    authz.require(actor, CHANGE, org)
    number = _next_scope_number(org)
    open_one = ScopeStatement.objects.filter(organization=org, status__in=OPEN_SCOPE_STATUSES)
    if (existing := open_one.first()) is not None:
        raise Conflict(
            f"Version {existing.number} is already open ({existing.get_status_display()}); "
            "edit it, or finish its review, before starting another."
        )
    base = _approved_scope(org)
    data = {**(snapshot(base, SCOPE_FIELDS) if base else {}), **known(fields, SCOPE_FIELDS)}
    scope = ScopeStatement.objects.create(
        organization=org, number=number, created_by=actor_label(actor), **_clean_scope(org, data)
    )
    _created(actor, "scope.drafted", scope, SCOPE_FIELDS)
    return scope


def _require_status(scope: ScopeStatement, status: ScopeStatus, doing: str) -> None:
    if scope.status != status:
        raise Conflict(
            f"Version {scope.number} is {scope.get_status_display().lower()}; only a version "
            f"that is {status.label.lower()} can be {doing}."
        )


@transaction.atomic
def scope_update(
    *, actor: Actor, scope: ScopeStatement, version: int | None, **fields: Any
) -> ScopeStatement:
    """Edit a draft; versions in review, approved or superseded do not change."""
    authz.require(actor, CHANGE, scope.organization)
    locked = _lock(scope)
    _require_status(locked, ScopeStatus.DRAFT, "edited")
    diff = _change(
        locked,
        version=version,
        changes=fields,
        fields=SCOPE_FIELDS,
        clean=_clean_scope,
        what=f"Scope version {locked.number}",
    )
    if diff:
        audit.record(actor=actor, verb="scope.updated", target=locked, data=diff)
    return locked


@transaction.atomic
def scope_submit(
    *, actor: Actor, scope: ScopeStatement, version: int | None = None
) -> ScopeStatement:
    """Send a draft for approval; it needs a statement and a summary."""
    authz.require(actor, CHANGE, scope.organization)
    locked = _lock(scope)
    _require_status(locked, ScopeStatus.DRAFT, "submitted")
    refs.check_version(locked, version, f"Scope version {locked.number}")
    check = Checker(locked.organization)
    check.text({"text": locked.text}, "text", required="Write the scope statement first.")
    check.text({"summary": locked.summary}, "summary", required="Summarise the scope first.")
    check.done()
    locked.status, locked.submitted_by = ScopeStatus.IN_REVIEW, actor_label(actor)
    locked.submitted_at = timezone.now()
    locked.save()
    audit.record(actor=actor, verb="scope.submitted", target=locked, data={"number": locked.number})
    return locked


def _supersede(actor: Actor, org: Organization, by: ScopeStatement) -> int | None:
    previous = _approved_scope(org)
    if previous is None:
        return None
    previous.status, previous.superseded_at = ScopeStatus.SUPERSEDED, timezone.now()
    previous.save(update_fields=["status", "superseded_at", "updated_at"])
    audit.record(
        actor=actor, verb="scope.superseded", target=previous, data={"by_number": by.number}
    )
    return previous.number


@transaction.atomic
def scope_approve(
    *, actor: Actor, scope: ScopeStatement, comment: str = "", version: int | None = None
) -> ScopeStatement:
    """Approve a version in review; the version approved before it is superseded."""
    authz.require(actor, APPROVE, scope.organization)
    locked = _lock(scope)
    _require_status(locked, ScopeStatus.IN_REVIEW, "approved")
    refs.check_version(locked, version, f"Scope version {locked.number}")
    replaced = _supersede(actor, locked.organization, locked)
    locked.status, locked.approved_by = ScopeStatus.APPROVED, actor_label(actor)
    locked.approved_at, locked.approval_comment = timezone.now(), comment.strip()
    locked.save()
    audit.record(
        actor=actor,
        verb="scope.approved",
        target=locked,
        data={"number": locked.number, "comment": locked.approval_comment, "supersedes": replaced},
    )
    return locked


@transaction.atomic
def scope_reject(
    *, actor: Actor, scope: ScopeStatement, comment: str, version: int | None = None
) -> ScopeStatement:
    """Return a version in review to draft, saying what needs to change."""
    authz.require(actor, APPROVE, scope.organization)
    locked = _lock(scope)
    _require_status(locked, ScopeStatus.IN_REVIEW, "returned")
    if not comment.strip():
        raise ValidationError.field("comment", "Say what needs to change.")
    refs.check_version(locked, version, f"Scope version {locked.number}")
    locked.status, locked.rejected_by = ScopeStatus.DRAFT, actor_label(actor)
    locked.rejected_at, locked.rejection_comment = timezone.now(), comment.strip()
    locked.save()
    audit.record(
        actor=actor,
        verb="scope.rejected",
        target=locked,
        data={"number": locked.number, "comment": locked.rejection_comment},
    )
    return locked


@transaction.atomic
def scope_delete(*, actor: Actor, scope: ScopeStatement) -> None:
    """Discard a draft; versions that were submitted or approved are records and stay."""
    authz.require(actor, CHANGE, scope.organization)
    locked = _lock(scope)
    _require_status(locked, ScopeStatus.DRAFT, "discarded")
    _deleted(actor, "scope.deleted", locked, SCOPE_FIELDS)
    locked.delete()


# --- issues (clause 4.1) --------------------------------------------------------------------


def _clean_issue(org: Organization, data: Mapping[str, Any]) -> dict[str, Any]:
    check = Checker(org)
    clean: dict[str, Any] = {
        "title": check.text(data, "title", required="Give the issue a title.", max_length=200),
        "description": check.text(data, "description"),
        "kind": check.choice(data, "kind", IssueKind),
        "category": check.choice(data, "category", IssueCategory),
        "effect": check.choice(data, "effect", IssueEffect),
        "effect_description": check.text(data, "effect_description"),
        "owner": check.member(data, "owner"),
        "review_date": check.date(data, "review_date"),
        "status": check.choice(data, "status", IssueStatus),
    }
    allowed = CATEGORIES_BY_KIND.get(clean["kind"], ())
    if clean["kind"] and clean["category"] and clean["category"] not in allowed:
        names = ", ".join(category.value for category in allowed)
        check.add("category", f"An {clean['kind']} issue takes one of: {names}.")
    check.done()
    return clean


@transaction.atomic
def issue_create(*, actor: Actor, org: Organization, **fields: Any) -> Issue:
    """Record an issue as ``IS-0001``...; fields as in ``ISSUE_FIELDS``, owner by e-mail."""
    authz.require(actor, CHANGE, org)
    clean = _clean_issue(org, {**_ISSUE_DEFAULTS, **known(fields, ISSUE_FIELDS)})
    issue = Issue.objects.create(organization=org, ref=refs.next_ref(org, "IS"), **clean)
    _created(actor, "issue.created", issue, ISSUE_FIELDS)
    return issue


@transaction.atomic
def issue_update(*, actor: Actor, issue: Issue, version: int | None, **fields: Any) -> Issue:
    """Change some fields of an issue."""
    authz.require(actor, CHANGE, issue.organization)
    locked = _lock(issue)
    diff = _change(
        locked,
        version=version,
        changes=fields,
        fields=ISSUE_FIELDS,
        clean=_clean_issue,
        what=f"Issue {locked.ref}",
    )
    if diff:
        audit.record(actor=actor, verb="issue.updated", target=locked, data=diff)
    return locked


@transaction.atomic
def issue_delete(*, actor: Actor, issue: Issue) -> None:
    """Remove an issue; the audit trail keeps what it said."""
    authz.require(actor, CHANGE, issue.organization)
    locked = _lock(issue)
    _deleted(actor, "issue.deleted", locked, ISSUE_FIELDS)
    locked.delete()


# --- interested parties and their requirements (clause 4.2) --------------------------------


def _clean_party(org: Organization, data: Mapping[str, Any]) -> dict[str, Any]:
    check = Checker(org)
    clean: dict[str, Any] = {
        "name": check.text(data, "name", required="Name the party.", max_length=200),
        "kind": check.choice(data, "kind", PartyKind),
        "description": check.text(data, "description"),
        "relevance": check.choice(data, "relevance", Relevance),
    }
    check.done()
    return clean


def _clean_requirement(org: Organization, data: Mapping[str, Any]) -> dict[str, Any]:
    check = Checker(org)
    clean: dict[str, Any] = {
        "text": check.text(data, "text", required="Say what the party requires."),
        "addressed": check.flag(data, "addressed"),
        "how": check.text(data, "how"),
        "obligation": None,
    }
    if clean["addressed"] and not clean["how"]:
        check.add("how", "Say how the ISMS addresses it.")
    ref = str(data.get("obligation") or "").strip()
    if ref:
        clean["obligation"] = Obligation.objects.filter(organization=org, ref=ref).first()
        if clean["obligation"] is None:
            check.add("obligation", f"There is no obligation {ref}.")
    check.done()
    return clean


@transaction.atomic
def party_create(
    *,
    actor: Actor,
    org: Organization,
    requirements: Sequence[Mapping[str, Any]] = (),
    **fields: Any,
) -> InterestedParty:
    """Record an interested party as ``IP-0001``..., with its requirements if given."""
    authz.require(actor, CHANGE, org)
    clean = _clean_party(org, {**_PARTY_DEFAULTS, **known(fields, PARTY_FIELDS)})
    party = InterestedParty.objects.create(organization=org, ref=refs.next_ref(org, "IP"), **clean)
    _created(actor, "party.created", party, PARTY_FIELDS)
    for number, requirement in enumerate(requirements):
        try:
            party_requirement_create(actor=actor, party=party, **requirement)
        except ValidationError as error:
            raise ValidationError(
                errors={f"requirements.{number}.{k}": v for k, v in error.errors.items()}
            ) from None
    return party


@transaction.atomic
def party_update(
    *, actor: Actor, party: InterestedParty, version: int | None, **fields: Any
) -> InterestedParty:
    """Change some fields of an interested party (its requirements change one by one)."""
    authz.require(actor, CHANGE, party.organization)
    locked = _lock(party)
    diff = _change(
        locked,
        version=version,
        changes=fields,
        fields=PARTY_FIELDS,
        clean=_clean_party,
        what=f"Interested party {locked.ref}",
    )
    if diff:
        audit.record(actor=actor, verb="party.updated", target=locked, data=diff)
    return locked


@transaction.atomic
def party_delete(*, actor: Actor, party: InterestedParty) -> None:
    """Remove an interested party and its requirements."""
    authz.require(actor, CHANGE, party.organization)
    locked = _lock(party)
    data = audit.changes(snapshot(locked, PARTY_FIELDS), {})
    data["requirements"] = list(locked.requirements.values_list("text", flat=True))
    audit.record(actor=actor, verb="party.deleted", target=locked, data=data)
    locked.delete()


def _requirement_audit(
    actor: Actor, verb: str, requirement: PartyRequirement, diff: dict[str, Any]
) -> None:
    audit.record(
        actor=actor,
        verb=verb,
        target=requirement,
        data={"party": requirement.party.ref, **diff},
    )


@transaction.atomic
def party_requirement_create(
    *, actor: Actor, party: InterestedParty, **fields: Any
) -> PartyRequirement:
    """Add a requirement to an interested party; ``obligation`` is an obligation's ref."""
    org = party.organization
    authz.require(actor, CHANGE, org)
    clean = _clean_requirement(org, {**_REQUIREMENT_DEFAULTS, **known(fields, REQUIREMENT_FIELDS)})
    requirement = PartyRequirement.objects.create(organization=org, party=party, **clean)
    diff = audit.changes({}, snapshot(requirement, REQUIREMENT_FIELDS))
    _requirement_audit(actor, "party_requirement.created", requirement, diff)
    return requirement


@transaction.atomic
def party_requirement_update(
    *, actor: Actor, requirement: PartyRequirement, version: int | None, **fields: Any
) -> PartyRequirement:
    """Change some fields of a requirement."""
    authz.require(actor, CHANGE, requirement.organization)
    locked = _lock(requirement)
    locked.party = requirement.party
    diff = _change(
        locked,
        version=version,
        changes=fields,
        fields=REQUIREMENT_FIELDS,
        clean=_clean_requirement,
        what="This requirement",
    )
    if diff:
        _requirement_audit(actor, "party_requirement.updated", locked, diff)
    return locked


@transaction.atomic
def party_requirement_delete(*, actor: Actor, requirement: PartyRequirement) -> None:
    """Remove a requirement from its party."""
    authz.require(actor, CHANGE, requirement.organization)
    locked = _lock(requirement)
    locked.party = requirement.party
    diff = audit.changes(snapshot(locked, REQUIREMENT_FIELDS), {})
    _requirement_audit(actor, "party_requirement.deleted", locked, diff)
    locked.delete()


# --- obligations --------------------------------------------------------------------------


def _clean_obligation(org: Organization, data: Mapping[str, Any]) -> dict[str, Any]:
    check = Checker(org)
    clean: dict[str, Any] = {
        "name": check.text(data, "name", required="Name the obligation.", max_length=200),
        "kind": check.choice(data, "kind", ObligationKind),
        "jurisdiction": check.text(data, "jurisdiction", max_length=200),
        "counterparty": check.text(data, "counterparty", max_length=200),
        "source": check.text(data, "source", max_length=300),
        "source_url": check.url(data, "source_url"),
        "owner": check.member(data, "owner"),
        "description": check.text(data, "description"),
        "status": check.choice(data, "status", ObligationStatus),
        "review_date": check.date(data, "review_date"),
    }
    if clean["kind"] == ObligationKind.CONTRACTUAL and not clean["counterparty"]:
        check.add("counterparty", "Name the other party to the contract.")
    statutory = clean["kind"] in (ObligationKind.LEGAL, ObligationKind.REGULATORY)
    if statutory and not clean["jurisdiction"]:
        check.add("jurisdiction", "Say where the law or regulation applies.")
    check.done()
    return clean


@transaction.atomic
def obligation_create(*, actor: Actor, org: Organization, **fields: Any) -> Obligation:
    """Record an obligation as ``OB-0001``...; owner by e-mail."""
    authz.require(actor, CHANGE, org)
    clean = _clean_obligation(org, {**_OBLIGATION_DEFAULTS, **known(fields, OBLIGATION_FIELDS)})
    obligation = Obligation.objects.create(organization=org, ref=refs.next_ref(org, "OB"), **clean)
    _created(actor, "obligation.created", obligation, OBLIGATION_FIELDS)
    return obligation


@transaction.atomic
def obligation_update(
    *, actor: Actor, obligation: Obligation, version: int | None, **fields: Any
) -> Obligation:
    """Change some fields of an obligation (retire it with ``status="retired"``)."""
    authz.require(actor, CHANGE, obligation.organization)
    locked = _lock(obligation)
    diff = _change(
        locked,
        version=version,
        changes=fields,
        fields=OBLIGATION_FIELDS,
        clean=_clean_obligation,
        what=f"Obligation {locked.ref}",
    )
    if diff:
        audit.record(actor=actor, verb="obligation.updated", target=locked, data=diff)
    return locked


@transaction.atomic
def obligation_delete(*, actor: Actor, obligation: Obligation) -> None:
    """Remove an obligation; requirements that became it keep their text and lose the link."""
    authz.require(actor, CHANGE, obligation.organization)
    locked = _lock(obligation)
    _deleted(actor, "obligation.deleted", locked, OBLIGATION_FIELDS)
    locked.delete()
