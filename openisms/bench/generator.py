"""The deterministic benchmark data set (DESIGN.md section 4): ``openisms bench-data``.

One organisation ``bench`` with the reference numbers of assets, risks, controls and audit
events, an empty organisation ``peer`` for the peer-comparable workload of ``make bench``, and
many small organisations beside them. Organisations, memberships, methodologies and tokens
go through the services (they are few); the thousands of rows are bulk-inserted in one
transaction with the values the services would compute (see ``rows``).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from openisms.assets.models import Asset
from openisms.bench.names import (
    BENCH_SLUG,
    OWNER_EMAIL,
    OWNER_PASSWORD,
    PEER_SLUG,
    SMALL_OWNER_EMAIL,
)
from openisms.bench.rows import BATCH, OrgData, event_times, make_assets, make_risks, today_and_now
from openisms.catalog import services as catalog_services
from openisms.catalog.choices import ANNEX_A_FRAMEWORK, RequirementKind
from openisms.catalog.models import Requirement
from openisms.controls.choices import Applicability, ImplementationStatus
from openisms.controls.models import Control
from openisms.core import audit, services
from openisms.core.actors import SYSTEM, actor_label
from openisms.core.choices import Role, TokenScope
from openisms.core.errors import Conflict
from openisms.core.models import AuditEvent, Membership, Organization, User
from openisms.risks import services as risk_services
from openisms.risks.models import Methodology, Risk, Threat

SKIPPED = "evidence items and findings (their apps have not landed yet)"


@dataclass(frozen=True)
class Scale:
    """How much to generate; ``reference`` is the data set of DESIGN.md section 4."""

    name: str
    assets: int
    risks: int
    events: int
    small_orgs: int
    members: int
    small_assets: int = 5
    small_risks: int = 5


SCALES = {
    "reference": Scale("reference", 10_000, 20_000, 50_000, 200, 25),
    "small": Scale("small", 200, 400, 1_000, 10, 10),
    "tiny": Scale("tiny", 12, 20, 60, 2, 3, small_assets=2, small_risks=2),
}


@dataclass
class Summary:
    """What was generated, for the console and the runner."""

    scale: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    credentials: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The summary as console lines."""
        out = [f"bench-data: scale {self.scale}, seed {self.seed}, {self.seconds:.1f} s"]
        out += [f"  {name:<22} {count:>9,}" for name, count in self.counts.items()]
        out.append(f"  skipped: {SKIPPED}")
        out.append(f"  login: {OWNER_EMAIL} / {OWNER_PASSWORD} ({BENCH_SLUG}, {PEER_SLUG})")
        return out


def _owner() -> User:
    return services.user_create(
        actor=SYSTEM, email=OWNER_EMAIL, password=OWNER_PASSWORD, full_name="Bench Owner"
    )


def _users(emails: Sequence[str], prefix: str) -> list[User]:
    """Accounts without a password (they never log in), bulk-inserted."""
    users = [
        User(email=email, full_name=f"{prefix} {n + 1}", password=make_password(None))
        for n, email in enumerate(emails)
    ]
    return User.objects.bulk_create(users, batch_size=BATCH)


def _org(name: str, slug: str, owner: User, members: Sequence[User] = ()) -> Organization:
    org = services.organization_create(actor=SYSTEM, name=name, owner=owner, slug=slug)
    Membership.objects.bulk_create(
        Membership(user=user, organization=org, role=Role.EDITOR) for user in members
    )
    risk_services.methodology_create(actor=SYSTEM, org=org, preset="5x5")
    return org


def _org_data(org: Organization, owner: User, members: Sequence[User], seed: int) -> OrgData:
    today, now = today_and_now()
    methodology = Methodology.objects.get(organization=org, is_current=True)
    rng = random.Random(f"{seed}:{org.slug}")  # noqa: S311 - reproducible data, not secrets
    return OrgData(org, owner, [owner, *members], methodology, rng, today, now)


def _catalogues() -> tuple[list[Threat], list[Requirement]]:
    catalog_services.catalog_load(actor=SYSTEM)
    risk_services.threat_library_load(actor=SYSTEM)
    threats = list(Threat.objects.filter(organization=None, is_retired=False).order_by("ref"))
    controls = list(
        Requirement.objects.filter(
            framework__code=ANNEX_A_FRAMEWORK, kind=RequirementKind.CONTROL
        ).order_by("order")
    )
    return threats, controls


def _vary_controls(org: Organization, members: Sequence[User]) -> int:
    """Give the organisation's controls varied decisions, as a real SoA has."""
    controls = list(Control.objects.filter(organization=org).order_by("position"))
    statuses = ImplementationStatus.values
    for n, control in enumerate(controls):
        control.implementation_status = statuses[n % len(statuses)]
        control.owner = members[n % len(members)]
        if n % 11 == 10:
            control.applicability = Applicability.NO
            control.exclusion_justification = "No such activity in the scope (benchmark)."
        elif n % 3 == 0:
            control.applicability = Applicability.YES
            control.implementation_description = "Described in the benchmark's policy set."
    fields = [
        "implementation_status",
        "owner",
        "applicability",
        "exclusion_justification",
        "implementation_description",
    ]
    Control.objects.bulk_update(controls, fields, batch_size=BATCH)
    return len(controls)


Item = tuple[str, str, str, str, dict[str, Any]]


def _history(assets: Sequence[Asset], risks: Sequence[Risk]) -> Iterator[Item]:
    """Audit items: every create, then updates in turn, as long as asked for."""
    for asset in assets:
        data = {"name": asset.name, "kind": asset.kind, "criticality": asset.criticality}
        yield "asset.created", "assets.asset", asset.ref, str(asset), data
    for risk in risks:
        data = {"title": risk.title, "status": risk.status, "inherent": risk.inherent_level}
        yield "risk.created", "risks.risk", risk.ref, str(risk), data
    n = 0
    while assets or risks:
        n += 1
        if assets:
            asset = assets[n % len(assets)]
            data = {"location": [asset.location, f"Room {n}"]}
            yield "asset.updated", "assets.asset", asset.ref, str(asset), data
        if risks:
            risk = risks[n % len(risks)]
            data = {"existing_controls": ["", f"Control review {n}"]}
            yield "risk.updated", "risks.risk", risk.ref, str(risk), data


def append_events(org: Organization, user: User, items: Iterable[Item], total: int) -> int:
    """Extend ``org``'s audit chain to ``total`` events with ``items``; valid hashes.

    Backdated over the last months (``event_times``), numbered and hashed by ``audit.link``
    as ``audit.record`` does, and written with bulk_create; returns how many were added.
    """
    after = audit.head(org)
    wanted = max(0, total - (after[0] if after else 0))
    events: list[AuditEvent] = []
    _, now = today_and_now()
    for moment, (verb, kind, ident, label, data) in zip(
        event_times(now, wanted), items, strict=False
    ):
        event = AuditEvent(
            organization=org,
            created_at=moment,
            actor=actor_label(user),
            actor_user=user,
            verb=verb,
            target_type=kind,
            target_id=ident,
            target_repr=label[:200],
            data=json.loads(audit.canonical_json(data)),
        )
        events.append(event)
    audit.link(events, after)
    AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    return len(events)


def _small_orgs(scale: Scale, seed: int, catalogues: tuple[list[Threat], list[Requirement]]) -> int:
    slugs = [f"small-{n:03d}" for n in range(1, scale.small_orgs + 1)]
    emails = [SMALL_OWNER_EMAIL.format(slug=slug) for slug in slugs]
    for n, owner in enumerate(_users(emails, "Small owner"), start=1):
        org = _org(f"Small organisation {n:03d}", slugs[n - 1], owner)
        data = _org_data(org, owner, [], seed)
        assets = make_assets(data, scale.small_assets)
        make_risks(data, scale.small_risks, assets, *catalogues)
    return scale.small_orgs


def _tokens(owner: User, orgs: Sequence[Organization]) -> dict[str, str]:
    return {
        org.slug: services.api_token_create(
            actor=SYSTEM,
            user=owner,
            org=org,
            name="benchmark",
            scope=TokenScope.WRITE,
            expires_days=None,
        )[1]
        for org in orgs
    }


@transaction.atomic
def generate(scale: Scale, seed: int = 1) -> Summary:
    """Generate the data set at ``scale`` into an empty database (one transaction)."""
    started = time.perf_counter()
    if Organization.objects.filter(slug=BENCH_SLUG).exists():
        raise Conflict("The benchmark data is already here: generate it into a new database.")
    catalogues = _catalogues()
    owner = _owner()
    members = _users(
        [f"member-{n:02d}@bench.example" for n in range(1, scale.members + 1)], "Bench member"
    )
    bench = _org("Bench Ltd", BENCH_SLUG, owner, members)
    peer = _org("Peer workload Ltd", PEER_SLUG, owner)
    data = _org_data(bench, owner, members, seed)
    assets = make_assets(data, scale.assets)
    risks = make_risks(data, scale.risks, assets, *catalogues)
    controls = _vary_controls(bench, data.members)
    tokens = _tokens(owner, [bench, peer])
    added = append_events(bench, owner, _history(assets, risks), scale.events)
    small = _small_orgs(scale, seed, catalogues)
    summary = Summary(scale.name, seed)
    summary.counts = {
        "assets": len(assets),
        "risks": len(risks),
        "controls": controls,
        "audit events (bench)": AuditEvent.objects.filter(organization=bench).count(),
        "audit events added": added,
        "small organisations": small,
    }
    summary.credentials = {
        "email": OWNER_EMAIL,
        "password": OWNER_PASSWORD,
        "tokens": tokens,
    }
    summary.seconds = time.perf_counter() - started
    return summary


def write_credentials(summary: Summary, path: Path) -> None:
    """Save the login and the token secrets for the runner (mode 600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary.credentials, indent=2))
    path.chmod(0o600)
