"""The demo's asset inventory: Acme Cloud Ltd, a ~120-person B2B SaaS payroll company.

Acme runs a cloud HR and payroll platform on AWS (eu-west-1, with a replica in eu-central-1),
with offices in London and Berlin. The assets are made through the service, so they are
audited like any other, and listed so that each one's dependencies come before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from openisms.assets import services
from openisms.assets.rules import AssetInput
from openisms.core.actors import Actor
from openisms.core.choices import Role
from openisms.core.demo import register
from openisms.core.models import Organization, User

OWN, ADM, EDI, VIE = Role.OWNER, Role.ADMIN, Role.EDITOR, Role.VIEWER


@dataclass(frozen=True)
class DemoAsset:
    """One demo asset; ``cia`` is "CIA" as three digits, ``review`` days from today."""

    key: str
    name: str
    kind: str
    owner: Role
    classification: str
    cia: str
    tags: str = ""
    depends: tuple[str, ...] = ()
    location: str = ""
    description: str = ""
    custodian: Role | None = None
    status: str = "in_use"
    review: int = 180


AWS_REGIONS = "AWS eu-west-1 (Ireland), replica in eu-central-1 (Frankfurt)"

ASSETS: tuple[DemoAsset, ...] = (
    DemoAsset(
        "london",
        "London office (Shoreditch)",
        "site",
        ADM,
        "Internal",
        "222",
        "office",
        location="London, UK",
        description="Head office: about 80 staff, meeting rooms and the comms room.",
    ),
    DemoAsset(
        "berlin",
        "Berlin office (Kreuzberg)",
        "site",
        ADM,
        "Internal",
        "222",
        "office",
        location="Berlin, Germany",
        description="Engineering and German payroll team, about 40 staff.",
        review=-12,
    ),
    DemoAsset(
        "aws",
        "Amazon Web Services (AWS)",
        "supplier",
        ADM,
        "Confidential",
        "444",
        "cloud; critical-supplier; gdpr-processor",
        location=AWS_REGIONS,
        description="Hosting of the whole platform; DPA and SOC 2 report on file.",
    ),
    DemoAsset(
        "okta",
        "Okta (workforce identity)",
        "supplier",
        ADM,
        "Confidential",
        "444",
        "identity; critical-supplier",
        description="Staff single sign-on and MFA.",
    ),
    DemoAsset(
        "github",
        "GitHub (source hosting and CI)",
        "supplier",
        ADM,
        "Confidential",
        "333",
        "engineering; critical-supplier",
    ),
    DemoAsset(
        "stripe",
        "Stripe (subscription billing)",
        "supplier",
        OWN,
        "Confidential",
        "232",
        "payments; pci",
    ),
    DemoAsset(
        "workspace",
        "Google Workspace (mail, documents)",
        "supplier",
        ADM,
        "Confidential",
        "332",
        "collaboration; gdpr-processor",
    ),
    DemoAsset(
        "slack", "Slack (internal chat)", "supplier", ADM, "Internal", "222", "collaboration"
    ),
    DemoAsset(
        "datadog",
        "Datadog (monitoring and logs)",
        "supplier",
        ADM,
        "Confidential",
        "222",
        "monitoring; gdpr-processor",
    ),
    DemoAsset(
        "zendesk",
        "Zendesk (customer support)",
        "supplier",
        OWN,
        "Confidential",
        "322",
        "support; pii; gdpr-processor",
    ),
    DemoAsset(
        "hibob",
        "HiBob (HR information system)",
        "supplier",
        VIE,
        "Restricted",
        "432",
        "hr; pii; gdpr-processor",
    ),
    DemoAsset(
        "bureau-uk",
        "PayFlow Bureau Ltd (UK payroll bureau)",
        "supplier",
        OWN,
        "Restricted",
        "443",
        "payroll; critical-supplier; gdpr-processor",
        location="Manchester, UK",
        description="Runs BACS submissions for customers who outsource payroll.",
    ),
    DemoAsset(
        "bureau-de",
        "Lohnwerk GmbH (German payroll bureau)",
        "supplier",
        OWN,
        "Restricted",
        "443",
        "payroll; critical-supplier; gdpr-processor",
        location="Leipzig, Germany",
        description="DATEV-certified partner for DE payroll.",
    ),
    DemoAsset(
        "laptops",
        "Staff laptops (MacBook fleet, about 130)",
        "hardware",
        ADM,
        "Confidential",
        "322",
        "endpoint; mdm",
        location="Offices and homes",
        description="Managed by MDM, disks encrypted.",
    ),
    DemoAsset(
        "office-network",
        "Office networks (firewalls, switches, Wi-Fi)",
        "hardware",
        ADM,
        "Internal",
        "222",
        "network",
        ("london", "berlin"),
    ),
    DemoAsset(
        "keys",
        "Hardware security keys (YubiKeys)",
        "hardware",
        ADM,
        "Confidential",
        "232",
        "identity",
        ("okta",),
    ),
    DemoAsset(
        "aws-accounts",
        "AWS organisation and accounts (prod, staging, security)",
        "service",
        ADM,
        "Restricted",
        "444",
        "cloud; production",
        ("aws",),
        location=AWS_REGIONS,
        custodian=EDI,
    ),
    DemoAsset(
        "vpc",
        "Production network (VPCs, load balancers, WAF)",
        "service",
        ADM,
        "Confidential",
        "233",
        "network; production",
        ("aws-accounts",),
        location=AWS_REGIONS,
    ),
    DemoAsset(
        "kms",
        "Encryption keys (AWS KMS)",
        "software",
        ADM,
        "Restricted",
        "444",
        "encryption; production",
        ("aws-accounts",),
        location=AWS_REGIONS,
    ),
    DemoAsset(
        "secrets",
        "Application secrets (AWS Secrets Manager)",
        "software",
        ADM,
        "Restricted",
        "443",
        "encryption; production",
        ("aws-accounts", "kms"),
    ),
    DemoAsset(
        "k8s",
        "Kubernetes clusters (EKS, production)",
        "software",
        ADM,
        "Confidential",
        "233",
        "production; platform",
        ("aws-accounts", "vpc", "secrets"),
        location=AWS_REGIONS,
        custodian=EDI,
    ),
    DemoAsset(
        "db",
        "Production database cluster (Aurora PostgreSQL)",
        "software",
        ADM,
        "Restricted",
        "444",
        "production; pii; database",
        ("aws-accounts", "vpc", "kms"),
        location=AWS_REGIONS,
        description="Primary in eu-west-1, read replica in eu-central-1; encrypted with KMS keys.",
        review=-5,
    ),
    DemoAsset(
        "legacy-db",
        "Legacy payroll database (self-hosted PostgreSQL 11)",
        "software",
        ADM,
        "Restricted",
        "111",
        "database; pii",
        status="retired",
        review=30,
        description="Decommissioned after the migration to Aurora; disks wiped.",
    ),
    DemoAsset(
        "eu-cluster",
        "EU data residency cluster (eu-central-1 primary)",
        "software",
        ADM,
        "Restricted",
        "333",
        "production; platform",
        ("aws-accounts", "kms"),
        location="AWS eu-central-1 (Frankfurt)",
        status="planned",
        review=90,
    ),
    DemoAsset(
        "backups",
        "Backups (AWS Backup, cross-region copies)",
        "service",
        ADM,
        "Restricted",
        "442",
        "production; backup",
        ("aws-accounts", "kms", "db"),
    ),
    DemoAsset(
        "source",
        "Source code repositories",
        "information",
        ADM,
        "Confidential",
        "332",
        "engineering",
        ("github",),
    ),
    DemoAsset(
        "ci",
        "CI/CD pipelines (GitHub Actions, Argo CD)",
        "software",
        ADM,
        "Confidential",
        "232",
        "engineering; production",
        ("github", "source", "k8s"),
    ),
    DemoAsset(
        "payroll-app",
        "Payroll platform (web application and API)",
        "software",
        OWN,
        "Confidential",
        "444",
        "production; payroll",
        ("k8s", "db", "kms", "secrets"),
        description="The product: payroll runs, payslips, filings, customer API.",
        custodian=ADM,
    ),
    DemoAsset(
        "engine",
        "Payroll calculation engine",
        "software",
        OWN,
        "Confidential",
        "242",
        "production; payroll",
        ("k8s", "db"),
    ),
    DemoAsset(
        "portal",
        "Customer admin portal (app.acmecloud.example)",
        "software",
        OWN,
        "Confidential",
        "233",
        "production",
        ("payroll-app", "okta"),
    ),
    DemoAsset(
        "website",
        "Public website and help centre (acmecloud.example)",
        "software",
        OWN,
        "Public",
        "121",
        "marketing",
    ),
    DemoAsset(
        "logs",
        "Logs and monitoring data",
        "information",
        ADM,
        "Confidential",
        "222",
        "monitoring",
        ("datadog",),
    ),
    DemoAsset(
        "payroll-data",
        "Customer payroll data (payslips, salaries, bank details)",
        "information",
        OWN,
        "Restricted",
        "443",
        "pii; gdpr; payroll",
        ("db", "backups", "payroll-app"),
        location=AWS_REGIONS,
        custodian=ADM,
        description="Processed for customers as a GDPR processor; the crown jewels.",
        review=-30,
    ),
    DemoAsset(
        "employee-pii",
        "Customers' employee personal data (names, addresses, tax IDs)",
        "information",
        OWN,
        "Restricted",
        "443",
        "pii; gdpr",
        ("db", "backups"),
    ),
    DemoAsset(
        "hr-records",
        "Acme staff records (HR files, contracts, salaries)",
        "information",
        VIE,
        "Restricted",
        "432",
        "hr; pii; gdpr",
        ("hibob",),
    ),
    DemoAsset(
        "contracts",
        "Customer contracts and data processing agreements",
        "information",
        OWN,
        "Confidential",
        "322",
        "legal",
        ("workspace",),
    ),
    DemoAsset(
        "billing",
        "Subscription and invoicing data",
        "information",
        OWN,
        "Confidential",
        "232",
        "payments",
        ("stripe",),
    ),
    DemoAsset(
        "tickets",
        "Support tickets and customer correspondence",
        "information",
        OWN,
        "Confidential",
        "322",
        "support; pii",
        ("zendesk",),
    ),
    DemoAsset(
        "isms-docs",
        "ISMS documentation (policies, risk register, SoA)",
        "information",
        EDI,
        "Internal",
        "221",
        "isms",
        ("workspace",),
    ),
    DemoAsset(
        "sre",
        "Site reliability engineers (on-call rota, 6 people)",
        "people",
        ADM,
        "Internal",
        "223",
        "key-staff; production",
    ),
    DemoAsset(
        "payroll-team",
        "Payroll specialists (customer implementation)",
        "people",
        OWN,
        "Confidential",
        "222",
        "key-staff; payroll",
    ),
    DemoAsset(
        "security-lead",
        "Information security lead (ISMS manager)",
        "people",
        OWN,
        "Internal",
        "122",
        "key-staff; isms",
        custodian=EDI,
    ),
)


def _input(
    item: DemoAsset, users: dict[Role, User], refs: dict[str, str], today: dt.date
) -> AssetInput:
    custodian = users[item.custodian].email if item.custodian else ""
    return AssetInput(
        name=item.name,
        kind=item.kind,
        owner=users[item.owner].email,
        custodian=custodian,
        classification=item.classification,
        confidentiality=int(item.cia[0]),
        integrity=int(item.cia[1]),
        availability=int(item.cia[2]),
        tags=item.tags,
        depends_on=[refs[key] for key in item.depends],
        location=item.location,
        description=item.description,
        status=item.status,
        next_review=today + dt.timedelta(days=item.review),
    )


@register
def build_assets(org: Organization, users: dict[Role, User], actor: Actor) -> None:
    """About 40 assets of every kind, with owners, values, tags and dependencies."""
    refs: dict[str, str] = {}
    today = timezone.localdate()
    for item in ASSETS:
        asset = services.asset_create(actor=actor, org=org, data=_input(item, users, refs, today))
        refs[item.key] = asset.ref
