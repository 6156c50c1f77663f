"""The demo's risk management: Acme Cloud Ltd, a B2B HR and payroll SaaS company on AWS.

A 5x5 methodology, a few vulnerabilities and one own threat, and about thirty risks on the
assets of the asset demo (looked up by name, so a renamed asset only drops a link), each made
through the services: assessed, some treated with actions (a few overdue), some accepted (one
acceptance expired), one closed. The threat library is loaded by a preparer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from openisms.assets.models import Asset
from openisms.catalog.choices import ANNEX_A_FRAMEWORK, RequirementKind
from openisms.catalog.models import Requirement
from openisms.core.actors import Actor
from openisms.core.choices import Role
from openisms.core.demo import register, register_preparer
from openisms.core.models import Organization, User
from openisms.risks import services
from openisms.risks.models import Risk
from openisms.risks.rules import (
    ActionInput,
    AssessmentInput,
    RiskInput,
    ThreatInput,
    VulnerabilityInput,
)

OWN, ADM, EDI = Role.OWNER, Role.ADMIN, Role.EDITOR


@register_preparer
def load_threat_library(actor: Actor) -> None:
    """Load the shipped threat library; a no-op when this version is already loaded."""
    services.threat_library_load(actor=actor)


@dataclass(frozen=True)
class DemoAction:
    """A treatment action; ``due`` in days from today (negative: in the past)."""

    title: str
    owner: Role
    due: int
    status: str = "planned"
    progress: int = 0


@dataclass(frozen=True)
class DemoRisk:
    """One demo risk; ``assets`` are phrases found in asset names, ``cia`` e.g. "CI"."""

    title: str
    owner: Role
    assets: tuple[str, ...]
    threats: tuple[str, ...]
    cia: str
    inherent: tuple[int, int] | None
    treatment: str = ""
    controls: tuple[str, ...] = ()
    residual: tuple[int, int] | None = None
    existing: str = ""
    description: str = ""
    actions: tuple[DemoAction, ...] = ()
    accept: tuple[Role, str, int, int] | None = None  # who, why, decided (days), valid (days)
    closed: str = ""
    vulnerabilities: tuple[str, ...] = field(default=())


VULNERABILITIES = (
    ("PostgreSQL 11 is out of vendor support", ("Legacy payroll database",), "high", "open", -200),
    (
        "MFA not enforced for administrators of legacy tenants",
        ("Customer admin portal",),
        "medium",
        "in_progress",
        -60,
    ),
    ("Support tooling shows full bank details", ("Zendesk",), "medium", "open", -30),
    (
        "File upload accepts SVG files with embedded script",
        ("Customer admin portal",),
        "high",
        "open",
        -12,
    ),
)

RISKS: tuple[DemoRisk, ...] = (
    DemoRisk(
        "Ransomware encrypts production systems and their backups",
        ADM,
        ("Aurora PostgreSQL", "Backups", "Kubernetes clusters"),
        ("OI-ransomware", "G 0.39"),
        "IA",
        (3, 5),
        "modify",
        ("A.8.13", "A.8.7", "A.5.30"),
        (2, 4),
        "EDR on every node; backups in a separate AWS account.",
        actions=(
            DemoAction("Enable AWS Backup Vault Lock (immutable backups)", ADM, -40, "done", 100),
            DemoAction(
                "Quarterly restore test of the production database", ADM, 30, "in_progress", 50
            ),
        ),
    ),
    DemoRisk(
        "Credential stuffing against the customer admin portal",
        ADM,
        ("Customer admin portal", "Payroll platform"),
        ("OI-credential-stuffing", "G 0.36"),
        "CI",
        (4, 4),
        "modify",
        ("A.5.17", "A.8.5", "A.8.16"),
        (2, 3),
        "Password policy; account lockout after 10 failures.",
        actions=(
            DemoAction("Enforce MFA for every customer administrator", ADM, -60, "done", 100),
            DemoAction(
                "Rate limiting and bot detection on the login endpoint", ADM, -20, "done", 100
            ),
        ),
        accept=(ADM, "MFA and rate limiting in place; remaining risk within appetite.", 0, 180),
        vulnerabilities=("MFA not enforced",),
    ),
    DemoRisk(
        "Cross-tenant data exposure through an authorisation bug in the API",
        ADM,
        ("Payroll platform", "Customer payroll data"),
        ("OI-cross-tenant-exposure", "G 0.28"),
        "C",
        (3, 5),
        "modify",
        ("A.8.25", "A.8.28", "A.8.29", "A.8.3"),
        (2, 5),
        "Code review of every change.",
        actions=(
            DemoAction(
                "Tenant-isolation tests in CI for every API endpoint", ADM, -10, "in_progress", 60
            ),
            DemoAction("External penetration test of the tenant model", OWN, 45),
        ),
    ),
    DemoRisk(
        "AWS access keys leaked in source code or CI logs",
        ADM,
        ("Source code repositories", "AWS organisation", "Application secrets"),
        ("OI-secrets-leak",),
        "CIA",
        (3, 4),
        "modify",
        ("A.8.4", "A.5.17", "A.8.24"),
        (1, 4),
        actions=(
            DemoAction(
                "Secret scanning with push protection on all repositories", ADM, -90, "done", 100
            ),
            DemoAction(
                "Move CI to OIDC federation and remove long-lived keys", ADM, -30, "done", 100
            ),
        ),
    ),
    DemoRisk(
        "Business e-mail compromise of a payroll specialist's mailbox",
        EDI,
        ("Google Workspace", "Payroll specialists"),
        ("OI-phishing-bec", "G 0.42"),
        "CI",
        (4, 4),
        "modify",
        ("A.6.3", "A.8.5", "A.8.23"),
        (3, 3),
        "Mail filtering; payment changes confirmed by phone.",
        actions=(
            DemoAction("Phishing simulation every quarter", EDI, 20, "in_progress", 40),
            DemoAction("Security keys for the whole payroll team", ADM, -15, "done", 100),
        ),
    ),
    DemoRisk(
        "Data breach at the UK payroll bureau (PayFlow)",
        OWN,
        ("PayFlow Bureau",),
        ("OI-third-party-breach", "G 0.11"),
        "C",
        (2, 5),
        "modify",
        ("A.5.19", "A.5.20", "A.5.22"),
        (2, 4),
        "DPA with audit rights; SOC 2 report reviewed.",
        actions=(DemoAction("Annual supplier security review of PayFlow", EDI, -5, "done", 100),),
        accept=(OWN, "Contractual and audit controls in place; no alternative bureau.", 0, 365),
    ),
    DemoRisk(
        "Outage of AWS eu-west-1 stops the payroll platform",
        ADM,
        ("Amazon Web Services", "EU data residency cluster", "Payroll platform"),
        ("OI-cloud-region-outage", "G 0.11"),
        "A",
        (2, 4),
        "modify",
        ("A.5.30", "A.8.14"),
        (1, 4),
        actions=(
            DemoAction(
                "Failover runbook to eu-central-1, tested twice a year", ADM, -25, "done", 100
            ),
        ),
    ),
    DemoRisk(
        "DDoS attack on the public API during payroll runs",
        ADM,
        ("Payroll platform", "Production network"),
        ("OI-ddos", "G 0.40"),
        "A",
        (3, 4),
        "modify",
        ("A.8.20", "A.8.6"),
        (2, 3),
        actions=(DemoAction("AWS Shield Advanced and WAF rate rules", ADM, -50, "done", 100),),
    ),
    DemoRisk(
        "Compromised open-source dependency ships malicious code",
        ADM,
        ("Source code repositories", "CI/CD pipelines"),
        ("OI-supply-chain", "G 0.21"),
        "CIA",
        (3, 5),
        "modify",
        ("A.8.28", "A.5.21", "A.8.32"),
        (2, 4),
        actions=(
            DemoAction(
                "Pin and verify dependencies; an SBOM for every release", ADM, 60, "in_progress", 30
            ),
            DemoAction("Signed container images with admission control", ADM, -5),
        ),
    ),
    DemoRisk(
        "Unpatched legacy payroll database (PostgreSQL 11, end of life)",
        ADM,
        ("Legacy payroll database",),
        ("G 0.28", "G 0.23"),
        "CI",
        (4, 4),
        "modify",
        ("A.8.8", "A.8.9"),
        (1, 4),
        "Network-isolated; read-only for most customers.",
        actions=(
            DemoAction("Migrate the remaining customers to Aurora", ADM, -20, "in_progress", 70),
        ),
        vulnerabilities=("PostgreSQL 11",),
    ),
    DemoRisk(
        "An engineer exfiltrates customer payroll data",
        EDI,
        ("Customer payroll data", "Aurora PostgreSQL"),
        ("OI-insider-exfiltration", "G 0.32"),
        "C",
        (2, 5),
        "modify",
        ("A.8.2", "A.8.3", "A.8.15", "A.8.16"),
        (2, 4),
        actions=(
            DemoAction("Just-in-time production access with approval", ADM, -35, "done", 100),
            DemoAction("Alert on bulk exports from production", ADM, 30),
        ),
    ),
    DemoRisk(
        "Wrong payroll results after a tax rule change",
        ADM,
        ("Payroll calculation engine", "Customer payroll data"),
        ("G 0.28", "G 0.31", "G 0.46", "T-0001"),
        "I",
        (3, 4),
        "modify",
        ("A.8.29", "A.8.32"),
        (2, 3),
        "Regression suite of 4,000 payslips.",
        actions=(DemoAction("Dual-control review of tax table updates", OWN, -10, "done", 100),),
    ),
    DemoRisk(
        "Lost or stolen laptop with customer data on it",
        EDI,
        ("Staff laptops",),
        ("G 0.16", "G 0.17"),
        "C",
        (4, 2),
        "modify",
        ("A.8.1", "A.8.24", "A.7.9"),
        (3, 1),
        "MDM; FileVault enforced.",
        actions=(DemoAction("Remote wipe tested for every laptop model", EDI, -45, "done", 100),),
        accept=(EDI, "Full-disk encryption and remote wipe make a loss low risk.", 0, 365),
    ),
    DemoRisk(
        "Misconfigured storage bucket exposes customer contracts",
        ADM,
        ("AWS organisation", "Customer contracts"),
        ("OI-cloud-misconfiguration", "G 0.31"),
        "C",
        (3, 4),
        "modify",
        ("A.8.9", "A.8.16"),
        (1, 4),
        actions=(
            DemoAction(
                "Block public access at organisation level; config rules", ADM, -70, "done", 100
            ),
        ),
    ),
    DemoRisk(
        "Key-person dependency in the SRE on-call rota",
        ADM,
        ("Site reliability engineers",),
        ("G 0.33",),
        "A",
        (3, 3),
        "retain",
        description="Six engineers share the rota; two hold most of the database knowledge.",
        accept=(ADM, "Hiring planned; runbooks cover the common incidents.", -400, -35),
    ),
    DemoRisk(
        "Fire or flood at the London office",
        ADM,
        ("London office",),
        ("G 0.1", "G 0.3"),
        "A",
        (1, 2),
        "retain",
        accept=(ADM, "Fully remote-capable; no production systems in the office.", 0, 365),
    ),
    DemoRisk(
        "Power outage at the Berlin office",
        ADM,
        ("Berlin office",),
        ("G 0.8",),
        "A",
        (2, 1),
        "retain",
        accept=(ADM, "Staff work from home during outages.", 0, 365),
    ),
    DemoRisk(
        "Unauthorised entry to the London comms room",
        ADM,
        ("London office", "Office networks"),
        ("G 0.44",),
        "CIA",
        (2, 2),
        "modify",
        ("A.7.2", "A.7.3"),
        (1, 2),
    ),
    DemoRisk(
        "Staff paste customer data into generative AI tools",
        EDI,
        ("Customers' employee personal data", "Google Workspace"),
        ("OI-genai-leakage",),
        "C",
        (4, 3),
        "modify",
        ("A.5.10", "A.6.3", "A.8.12"),
        (2, 3),
        actions=(
            DemoAction("Acceptable-use policy for AI tools", EDI, -20, "done", 100),
            DemoAction(
                "Approved enterprise AI assistant without training on our data",
                ADM,
                40,
                "in_progress",
                50,
            ),
        ),
    ),
    DemoRisk(
        "Leavers' payroll data kept longer than the contracts allow (GDPR)",
        OWN,
        ("Customers' employee personal data",),
        ("G 0.29", "G 0.38"),
        "C",
        (3, 3),
        "modify",
        ("A.5.34", "A.8.10"),
        (2, 2),
        actions=(DemoAction("Automated deletion 90 days after contract end", ADM, 90),),
    ),
    DemoRisk(
        "Okta outage locks staff out of every system",
        ADM,
        ("Okta",),
        ("G 0.11",),
        "A",
        (2, 3),
        "retain",
        accept=(ADM, "Break-glass accounts exist; Okta's availability record is strong.", 0, 180),
    ),
    DemoRisk(
        "Takeover of a privileged Okta administrator account",
        ADM,
        ("Okta", "Hardware security keys"),
        ("G 0.36", "OI-phishing-bec"),
        "CIA",
        (2, 5),
        "modify",
        ("A.8.2", "A.5.17", "A.8.5"),
        (1, 5),
        actions=(DemoAction("Security keys only for Okta administrators", ADM, -100, "done", 100),),
    ),
    DemoRisk(
        "Silent corruption of backups goes unnoticed",
        ADM,
        ("Backups",),
        ("G 0.45", "G 0.46"),
        "IA",
        (2, 4),
        "modify",
        ("A.8.13",),
        (1, 4),
        actions=(DemoAction("Automated restore verification of every nightly backup", ADM, 14),),
    ),
    DemoRisk(
        "Manipulation of billing data in Stripe",
        OWN,
        ("Stripe", "Subscription and invoicing data"),
        ("G 0.22",),
        "I",
        (1, 3),
        "retain",
        accept=(OWN, "Monthly reconciliation catches discrepancies.", 0, 365),
    ),
    DemoRisk(
        "Support agents see more payroll data than they need",
        EDI,
        ("Zendesk", "Support tickets"),
        ("G 0.19", "G 0.38"),
        "C",
        (3, 3),
        "modify",
        ("A.5.15", "A.8.11"),
        (2, 2),
        actions=(
            DemoAction("Mask bank details in the support tooling", ADM, -3, "in_progress", 20),
        ),
        vulnerabilities=("Support tooling",),
    ),
    DemoRisk(
        "Leavers keep access to internal systems",
        EDI,
        ("HiBob", "Okta"),
        ("G 0.30", "G 0.32"),
        "CI",
        (3, 3),
        "modify",
        ("A.5.18", "A.6.5"),
        (2, 2),
        actions=(
            DemoAction("Deprovisioning driven by HiBob termination events", ADM, -60, "done", 100),
        ),
    ),
    DemoRisk(
        "Security events are not alerted out of hours",
        ADM,
        ("Datadog", "Logs and monitoring data"),
        ("G 0.18",),
        "CIA",
        (3, 3),
        "modify",
        ("A.8.15", "A.8.16", "A.5.25"),
        (2, 3),
        actions=(
            DemoAction("Page the on-call engineer for high-severity security alerts", ADM, 60),
        ),
    ),
    DemoRisk(
        "Deletion of a KMS key makes data unrecoverable",
        ADM,
        ("Encryption keys",),
        ("G 0.31", "G 0.41"),
        "A",
        (1, 5),
        "modify",
        ("A.8.24",),
        (1, 3),
        actions=(DemoAction("Deny key deletion by service control policy", ADM, -80, "done", 100),),
    ),
    DemoRisk(
        "Defacement of the public website",
        EDI,
        ("Public website",),
        ("G 0.23", "G 0.43"),
        "I",
        None,
    ),
    DemoRisk(
        "Script injection through the portal's file upload",
        ADM,
        ("Customer admin portal",),
        ("G 0.28", "G 0.43"),
        "CI",
        None,
        vulnerabilities=("File upload",),
    ),
    DemoRisk(
        "Office Wi-Fi shared with the co-working tenants",
        ADM,
        ("Office networks",),
        ("G 0.15",),
        "C",
        (3, 2),
        "modify",
        ("A.8.20",),
        (1, 2),
        closed="Moved to a dedicated office network; the shared Wi-Fi is gone.",
    ),
)


def _find(names: dict[str, str], phrases: tuple[str, ...]) -> list[str]:
    """The refs of the assets whose names contain the phrases (missing ones are skipped)."""
    found = []
    for phrase in phrases:
        ref = next((r for name, r in names.items() if phrase.lower() in name.lower()), None)
        if ref is not None:
            found.append(ref)
    return found


def _annex_a() -> set[str]:
    return set(
        Requirement.objects.filter(
            framework__code=ANNEX_A_FRAMEWORK, kind=RequirementKind.CONTROL
        ).values_list("ref", flat=True)
    )


def _vulnerabilities(org: Organization, actor: Actor, assets: dict[str, str]) -> dict[str, str]:
    today, refs = timezone.localdate(), {}
    for title, phrases, severity, status, found in VULNERABILITIES:
        made = services.vulnerability_create(
            actor=actor,
            org=org,
            data=VulnerabilityInput(
                title=title,
                assets=_find(assets, phrases),
                severity=severity,
                status=status,
                found_on=today + dt.timedelta(days=found),
            ),
        )
        refs[title] = made.ref
    return refs


def _risk_input(item: DemoRisk, users: dict[Role, User], links: dict[str, list[str]]) -> RiskInput:
    return RiskInput(
        title=item.title,
        description=item.description,
        owner=users[item.owner].email,
        assets=links["assets"],
        threats=list(item.threats),
        vulnerabilities=links["vulnerabilities"],
        affects_confidentiality="C" in item.cia,
        affects_integrity="I" in item.cia,
        affects_availability="A" in item.cia,
        existing_controls=item.existing,
        treatment=item.treatment,
        controls=links["controls"],
    )


def _assessment(item: DemoRisk) -> AssessmentInput | None:
    if item.inherent is None:
        return None
    residual = item.residual or (None, None)
    return AssessmentInput(
        inherent_likelihood=item.inherent[0],
        inherent_impact=item.inherent[1],
        residual_likelihood=residual[0],
        residual_impact=residual[1],
        note="Initial assessment in the 2026 risk workshop.",
    )


def _follow_up(
    item: DemoRisk, risk_ref: str, org: Organization, users: dict[Role, User], actor: Actor
) -> None:
    today = timezone.localdate()
    for action in item.actions:
        risk = Risk.objects.select_related("organization", "owner").get(
            organization=org, ref=risk_ref
        )
        services.action_create(
            actor=actor,
            risk=risk,
            data=ActionInput(
                title=action.title,
                owner=users[action.owner].email,
                due_date=today + dt.timedelta(days=action.due),
                status=action.status,
                progress=action.progress,
            ),
        )
    risk = Risk.objects.select_related("organization", "owner", "methodology").get(
        organization=org, ref=risk_ref
    )
    if item.accept is not None:
        who, why, decided, valid = item.accept
        services.risk_accept(
            actor=users[who],
            risk=risk,
            rationale=why,
            valid_until=today + dt.timedelta(days=valid),
            decided_on=today + dt.timedelta(days=decided),
        )
    if item.closed:
        services.risk_close(actor=actor, risk=risk, reason=item.closed)


@register
def build_risks(org: Organization, users: dict[Role, User], actor: Actor) -> None:
    """A 5x5 methodology, vulnerabilities, an own threat and about thirty risks."""
    services.methodology_create(
        actor=actor,
        org=org,
        preset="5x5",
        name="Acme risk methodology",
        note="Adopted at the 2026 management review.",
    )
    services.threat_create(
        actor=actor,
        org=org,
        data=ThreatInput(
            name="Payroll cut-off pressure leads to unreviewed changes",
            category="organisational",
            summary="Month-end deadlines push engineers to ship calculation fixes without review.",
            affects_integrity=True,
        ),
    )
    assets = dict(Asset.objects.filter(organization=org).values_list("name", "ref"))
    vulnerabilities = _vulnerabilities(org, actor, assets)
    controls = _annex_a()
    for item in RISKS:
        links = {
            "assets": _find(assets, item.assets),
            "controls": [c for c in item.controls if c in controls],
            "vulnerabilities": [
                ref
                for title, ref in vulnerabilities.items()
                if any(p.lower() in title.lower() for p in item.vulnerabilities)
            ],
        }
        risk = services.risk_create(
            actor=actor,
            org=org,
            data=_risk_input(item, users, links),
            assessment=_assessment(item),
        ).risk
        _follow_up(item, risk.ref, org, users, actor)
