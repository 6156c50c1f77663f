"""Writes of the controls and the SoA: the records per control, links, versions, approval."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, fields
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from openisms.catalog.choices import ANNEX_A_FRAMEWORK, RequirementKind
from openisms.catalog.models import Requirement
from openisms.context.models import Obligation
from openisms.controls import selectors
from openisms.controls.choices import (
    OTHER_THEME,
    Applicability,
    ControlSource,
    ImplementationStatus,
    LinkKind,
    Severity,
    SoaStatus,
)
from openisms.controls.models import Control, ControlLink, ControlObligation, SoaVersion
from openisms.core import audit, authz, refs
from openisms.core.actors import SYSTEM, Actor, ServiceActor, actor_label
from openisms.core.cleaning import misfits
from openisms.core.errors import Conflict, ValidationError, raise_if
from openisms.core.models import Membership, Organization, User

CHANGE = "controls.change"
APPROVE = "soa.approve"


def controls_ensure(org: Organization, *, actor: Actor = SYSTEM) -> int:
    """Create the Annex A controls ``org`` lacks (a new organisation, a newer catalogue).

    Idempotent, two queries when nothing is missing; returns how many were made.
    """
    have = set(
        Control.objects.filter(organization=org, requirement__isnull=False).values_list(
            "requirement_id", flat=True
        )
    )
    wanted = Requirement.objects.filter(
        framework__code=ANNEX_A_FRAMEWORK, kind=RequirementKind.CONTROL
    ).order_by("order")
    missing = [r for r in wanted.only("id", "ref", "title", "theme", "order") if r.pk not in have]
    if not missing:
        return 0
    with transaction.atomic():
        Control.objects.bulk_create(
            (
                Control(
                    organization=org,
                    requirement=r,
                    ref=r.ref,
                    title=r.title,
                    theme=r.theme or OTHER_THEME,
                    position=r.order,
                )
                for r in missing
            ),
            ignore_conflicts=True,
        )
        audit.record(
            actor=actor,
            verb="controls.ensured",
            target=("controls.control", "annex-a", "Annex A controls"),
            org=org,
            data={"created": [r.ref for r in missing]},
        )
    return len(missing)


def controls_ensure_all(*, actor: Actor = SYSTEM) -> int:
    """``controls_ensure`` for every organisation (after the catalogue gained controls)."""
    return sum(controls_ensure(org, actor=actor) for org in Organization.objects.all())


#: The reference of a control from another source: it names the control's page (``/X-01/``).
OWN_REF = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]*\Z")


@dataclass(frozen=True)
class ControlInput:
    """A control's values as given; ``None`` keeps the current value."""

    applicability: str | None = None
    exclusion_justification: str | None = None
    business_reason: str | None = None
    obligations: list[str] | None = None
    implementation_status: str | None = None
    implementation_description: str | None = None
    owner: str | None = None
    due_date: dt.date | None = None
    last_review: dt.date | None = None
    title: str | None = None
    source_note: str | None = None
    clear: tuple[str, ...] = ()  # optional values to clear: owner, due_date, last_review


def _snapshot(control: Control) -> dict[str, Any]:
    return {
        "applicability": control.applicability,
        "exclusion_justification": control.exclusion_justification,
        "business_reason": control.business_reason,
        "obligations": sorted(o.ref for o in control.obligations.all()),
        "implementation_status": control.implementation_status,
        "implementation_description": control.implementation_description,
        "owner": control.owner.email if control.owner else None,
        "due_date": control.due_date,
        "last_review": control.last_review,
        "title": control.title,
        "source_note": control.source_note,
    }


def _member(org: Organization, email: str) -> User:
    user = (
        User.objects.filter(email=email.strip().lower(), memberships__organization=org)
        .distinct()
        .first()
    )
    if user is None:
        raise ValidationError.field("owner", f"{email} is not a member of this organisation.")
    return user


def _obligations(org: Organization, names: list[str]) -> list[Obligation]:
    wanted = [n.strip().upper() for n in names if n.strip()]
    found = {o.ref: o for o in Obligation.objects.filter(organization=org, ref__in=wanted)}
    missing = [n for n in wanted if n not in found]
    if missing:
        raise ValidationError.field("obligations", f"No obligation {', '.join(missing)}.")
    return [found[n] for n in dict.fromkeys(wanted)]


def _choice(name: str, value: str, choices: Any) -> str:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise ValidationError.field(name, f"{value!r} is not one of {allowed}.")
    return value


def _apply(control: Control, data: ControlInput) -> list[Obligation] | None:
    org = control.organization
    if data.applicability is not None:
        control.applicability = _choice("applicability", data.applicability, Applicability)
    if data.implementation_status is not None:
        control.implementation_status = _choice(
            "implementation_status", data.implementation_status, ImplementationStatus
        )
    texts = {
        name: value.strip()
        for name in (
            "exclusion_justification",
            "business_reason",
            "implementation_description",
            "title",
            "source_note",
        )
        if (value := getattr(data, name)) is not None
    }
    raise_if(misfits(Control, texts))
    for name, value in texts.items():
        setattr(control, name, value)
    if data.owner:
        control.owner = _member(org, data.owner)
    for name in ("due_date", "last_review"):
        if getattr(data, name) is not None:
            setattr(control, name, getattr(data, name))
    for name in data.clear:
        if name in ("owner", "due_date", "last_review"):
            setattr(control, name, None)
    if control.applicability == Applicability.NO and not control.exclusion_justification:
        raise ValidationError.field(
            "exclusion_justification",
            "Say why the control is not applicable; an auditor reads this justification.",
        )
    if not control.title:
        raise ValidationError.field("title", "A control needs a title.")
    return None if data.obligations is None else _obligations(org, data.obligations)


def _set_obligations(control: Control, obligations: list[Obligation]) -> None:
    ControlObligation.objects.filter(control=control).delete()
    ControlObligation.objects.bulk_create(
        ControlObligation(organization=control.organization, control=control, obligation=o)
        for o in obligations
    )
    control.__dict__.get("_prefetched_objects_cache", {}).pop("obligations", None)


@transaction.atomic
def control_update(
    *, actor: Actor, control: Control, data: ControlInput, version: int | None = None
) -> Control:
    """Change a control's SoA values; a stale ``version`` is a Conflict (409)."""
    authz.require(actor, CHANGE, control.organization)
    locked = Control.objects.select_for_update().get(pk=control.pk)
    control.version = locked.version
    before = _snapshot(control)
    refs.check_version(control, version, f"Control {control.ref}")
    obligations = _apply(control, data)
    if obligations is not None:
        _set_obligations(control, obligations)
    changes = audit.changes(before, _snapshot(control))
    if not changes:
        control.version -= 1
        return control
    control.updated_at = timezone.now()
    control.save()
    audit.record(actor=actor, verb="control.updated", target=control, data=changes)
    return control


@transaction.atomic
def control_create(
    *, actor: Actor, org: Organization, ref: str, title: str, source_note: str, data: ControlInput
) -> Control:
    """Add a control from another source (own reference, a note of where it comes from)."""
    authz.require(actor, CHANGE, org)
    ref, title, source_note = ref.strip(), title.strip(), source_note.strip()
    if not ref:
        raise ValidationError.field("ref", "Give the control a reference.")
    if ref.upper().startswith("A."):
        raise ValidationError.field("ref", "References starting with A. are Annex A's.")
    if not OWN_REF.fullmatch(ref):
        raise ValidationError.field(
            "ref", "Use letters, digits, dots, hyphens and underscores only (X-01, CLD.6.3.1)."
        )
    raise_if(misfits(Control, {"ref": ref, "title": title, "source_note": source_note}))
    if Control.objects.filter(organization=org, ref=ref).exists():
        raise Conflict(f"There is already a control {ref}.")
    last = Control.objects.filter(organization=org).order_by("-position").first()
    control = Control(
        organization=org,
        ref=ref,
        title=title,
        theme=OTHER_THEME,
        position=(last.position if last else 0) + 1000,
        source=ControlSource.OTHER,
        source_note=source_note,
        applicability=Applicability.YES,
    )
    obligations = _apply(control, data)
    control.save()
    if obligations:
        _set_obligations(control, obligations)
    audit.record(actor=actor, verb="control.created", target=control, data=_snapshot(control))
    return control


@transaction.atomic
def control_link_add(
    *,
    actor: Actor,
    control: Control,
    label: str,
    kind: str = LinkKind.LINK,
    url: str = "",
    target_ref: str = "",
    valid_until: dt.date | None = None,
) -> ControlLink:
    """Link a document, evidence item or web page to a control."""
    authz.require(actor, CHANGE, control.organization)
    if not label.strip():
        raise ValidationError.field("label", "Give the link a label.")
    raise_if(misfits(ControlLink, {"label": label.strip(), "url": url, "target_ref": target_ref}))
    link = ControlLink.objects.create(
        organization=control.organization,
        control=control,
        kind=_choice("kind", kind, LinkKind),
        label=label.strip(),
        url=url,
        target_ref=target_ref,
        valid_until=valid_until,
    )
    audit.record(
        actor=actor,
        verb="control.link_added",
        target=control,
        data={"kind": kind, "label": link.label, "url": url, "target_ref": target_ref},
    )
    return link


def _label(actor: Actor) -> tuple[User | None, str]:
    if isinstance(actor, ServiceActor):
        return None, actor_label(actor)
    return actor, actor.email


@transaction.atomic
def soa_publish(
    *, actor: Actor, org: Organization, note: str = "", override_reason: str = ""
) -> SoaVersion:
    """Freeze the working copy as the next version, in review; runs the consistency check.

    With blockers the publish is refused unless ``override_reason`` says why it goes ahead;
    the reason and the blockers are kept in the version and in the audit trail.
    """
    from openisms.controls import checks

    authz.require(actor, CHANGE, org)
    rows = selectors.soa_rows(actor=actor, org=org)
    findings = checks.run(org, rows=rows, include_drift=False)
    blockers = [f for f in findings if f.severity == Severity.BLOCKER]
    if blockers and not override_reason.strip():
        raise ValidationError.field(
            "override_reason",
            f"The consistency check found {len(blockers)} blocker(s); fix them or give a "
            "reason to publish anyway.",
        )
    last = SoaVersion.objects.select_for_update().filter(organization=org).first()
    user, label = _label(actor)
    version = SoaVersion.objects.create(
        organization=org,
        number=(last.number if last else 0) + 1,
        status=SoaStatus.IN_REVIEW,
        rows=[row.as_dict() for row in rows],
        html=render_to_string(
            "controls/_soa_table.html",
            {"groups": selectors.soa_groups(rows), "frozen": True, "current_org": org},
        ),
        note=note.strip(),
        override_reason=override_reason.strip() if blockers else "",
        check_summary=checks.summary(findings),
        published_by=user,
        published_by_label=label,
    )
    audit.record(
        actor=actor,
        verb="soa.published",
        target=version,
        data={
            "number": version.number,
            "rows": len(rows),
            "blockers": [f.rule for f in blockers],
            "override_reason": version.override_reason,
        },
    )
    return version


def _decide(actor: Actor, version: SoaVersion, comment: str) -> None:
    authz.require(actor, APPROVE, version.organization)
    version.refresh_from_db()  # as stored once the other writers are done with it
    if version.status != SoaStatus.IN_REVIEW:
        raise Conflict(f"SoA version {version.number} is {version.get_status_display().lower()}.")
    version.decided_by, version.decided_by_label = _label(actor)
    version.decided_at = timezone.now()
    version.decision_comment = comment.strip()


@transaction.atomic
def soa_approve(*, actor: Actor, version: SoaVersion, comment: str = "") -> SoaVersion:
    """Approve a version in review; the previously approved one becomes superseded."""
    _decide(actor, version, comment)
    SoaVersion.objects.filter(organization=version.organization, status=SoaStatus.APPROVED).update(
        status=SoaStatus.SUPERSEDED
    )
    version.status = SoaStatus.APPROVED
    version.save()
    audit.record(
        actor=actor, verb="soa.approved", target=version, data={"comment": version.decision_comment}
    )
    return version


@transaction.atomic
def soa_reject(*, actor: Actor, version: SoaVersion, comment: str) -> SoaVersion:
    """Send a version in review back to draft, with the reason (required)."""
    if not comment.strip():
        raise ValidationError.field("comment", "Say why the version is rejected.")
    _decide(actor, version, comment)
    version.status = SoaStatus.DRAFT
    version.save()
    audit.record(
        actor=actor, verb="soa.rejected", target=version, data={"comment": version.decision_comment}
    )
    return version


def input_fields() -> list[str]:
    """The names of ``ControlInput`` values, for forms and the API."""
    return [f.name for f in fields(ControlInput) if f.name != "clear"]


def member_choices(org: Organization) -> list[User]:
    """The organisation's members, for the owner field."""
    ids = Membership.objects.filter(organization=org).values("user_id")
    return list(User.objects.filter(pk__in=ids).order_by("email"))
