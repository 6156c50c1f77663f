"""Demo data of the context app for "Acme Cloud Ltd", a ~120-person B2B SaaS company.

Acme sells a cloud HR and payroll platform hosted on AWS (eu-west-1 and eu-central-1), with
offices in London and Berlin and staff working remotely. Everything goes through the services
with the demo's actor, so it is validated and audited like any other change. The customers
and partners named here are fictional.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openisms.context import services
from openisms.core.actors import Actor
from openisms.core.choices import Role
from openisms.core.demo import register
from openisms.core.models import Organization, User

SCOPE_V1: dict[str, Any] = {
    "summary": (
        "Development and operation of the Acme Cloud payroll platform, run from AWS eu-west-1 "
        "by the London team."
    ),
    "text": (
        "The ISMS of Acme Cloud Ltd covers the people, processes and technology used to "
        "develop, operate and support the Acme Cloud payroll software-as-a-service platform, "
        "including the customer payroll data it processes for business customers."
    ),
    "organisational_boundaries": (
        "Acme Cloud Ltd (England and Wales): Engineering, Operations, Customer Support."
    ),
    "physical_boundaries": (
        "London head office; home working. Production runs in AWS data centres."
    ),
    "technological_boundaries": (
        "The production and staging AWS accounts in eu-west-1; GitHub; Google Workspace."
    ),
    "locations": "London, United Kingdom\nAWS eu-west-1, Dublin, Ireland",
    "exclusions": [
        {
            "item": "Sales and marketing",
            "justification": "They hold no customer payroll data and use separate tools.",
        }
    ],
    "interfaces": "AWS (infrastructure)\nPayServe Ltd (payroll bureau partner, file exchange)",
}

SCOPE_V2: dict[str, Any] = {
    "summary": (
        "Design, development, operation, support and sale of the Acme Cloud HR and payroll "
        "platform, delivered as SaaS from AWS eu-west-1 and eu-central-1 by staff in London, "
        "Berlin and working remotely."
    ),
    "text": (
        "The information security management system of Acme Cloud Ltd covers the people, "
        "processes and technology used to design, develop, operate, support and sell the Acme "
        "Cloud HR and payroll software-as-a-service platform, including the personal data of "
        "customers' employees that the platform processes on behalf of business customers.\n"
        "It includes the supporting functions (People, Finance, Legal and internal IT) where "
        "they handle platform or customer information, and the Berlin subsidiary that serves "
        "customers in the German-speaking market."
    ),
    "organisational_boundaries": (
        "Acme Cloud Ltd (England and Wales) and its subsidiary Acme Cloud GmbH (Berlin): "
        "Engineering, Site Reliability, Security, Product, Customer Success and Support, Sales "
        "and Marketing, People, Finance and Legal; about 120 employees and contractors."
    ),
    "physical_boundaries": (
        "London head office (one floor of a managed building; the landlord runs building "
        "entry and CCTV).\nBerlin serviced office.\nHome working under the remote working "
        "policy.\nNo company data centres: production runs in AWS data centres."
    ),
    "technological_boundaries": (
        "Production, staging and security AWS accounts in eu-west-1 (primary) and "
        "eu-central-1 (disaster recovery and German data residency), under AWS Organizations; "
        "source code and CI/CD on GitHub; corporate SaaS (Google Workspace, Okta, Slack, Jira, "
        "Zendesk, HubSpot); company laptops managed with an MDM."
    ),
    "locations": (
        "London, United Kingdom (head office)\nBerlin, Germany (office)\n"
        "AWS eu-west-1, Dublin, Ireland\nAWS eu-central-1, Frankfurt, Germany\n"
        "Remote staff in the UK and the EU"
    ),
    "exclusions": [
        {
            "item": "Acme Labs sandbox AWS account",
            "justification": (
                "Holds no customer or production data, has no network path to production and "
                "is rebuilt every quarter; a prototype enters scope when it is released "
                "through the normal change process."
            ),
        },
        {
            "item": "Physical security of the AWS data centres",
            "justification": (
                "Run by AWS; we rely on its ISO/IEC 27001 certificate and SOC 2 report, "
                "reviewed every year under supplier management."
            ),
        },
        {
            "item": "PayServe Ltd's payroll bureau service",
            "justification": (
                "PayServe runs its own certified ISMS; the file exchange with it is in scope."
            ),
        },
    ],
    "interfaces": (
        "AWS: infrastructure, under the shared responsibility model\n"
        "Stripe: card payments for self-serve plans (card data never reaches our systems)\n"
        "PayServe Ltd: payroll bureau partner, SFTP file exchange\n"
        "HMRC RTI and the German ELSTER gateway: filings on behalf of customers\n"
        "Customers' identity providers: single sign-on (SAML, OIDC)\n"
        "HelpLine BV, Rotterdam: outsourced out-of-hours first-line support"
    ),
}


EU, UK, DE = "European Union", "United Kingdom", "Germany"

#: key -> obligation; ``owner`` names a key of ``OWNERS``, ``review_in`` is days from today
OBLIGATIONS: dict[str, dict[str, Any]] = {
    "gdpr": {
        "name": "EU General Data Protection Regulation",
        "kind": "legal",
        "jurisdiction": EU,
        "source": "Regulation (EU) 2016/679, notably Art. 28 (processor), 32 and 33",
        "source_url": "https://eur-lex.europa.eu/eli/reg/2016/679/oj",
        "owner": "legal",
        "description": (
            "As processor for EU customers and controller for our own staff: security of "
            "processing, breach notification, records of processing, sub-processor terms."
        ),
        "review_in": 120,
    },
    "uk_gdpr": {
        "name": "UK GDPR and Data Protection Act 2018",
        "kind": "legal",
        "jurisdiction": UK,
        "source": "UK GDPR; Data Protection Act 2018; ICO registration",
        "source_url": "https://www.legislation.gov.uk/ukpga/2018/12/contents",
        "owner": "legal",
        "description": (
            "The UK regime for UK customers and staff, including the yearly data "
            "protection fee and reporting notifiable breaches to the ICO."
        ),
        "review_in": 120,
    },
    "nis2": {
        "name": "NIS2 Directive (applicability under assessment)",
        "kind": "regulatory",
        "jurisdiction": f"{EU}; {DE} (national transposition)",
        "source": "Directive (EU) 2022/2555 and its German transposition",
        "source_url": "https://eur-lex.europa.eu/eli/dir/2022/2555/oj",
        "owner": "security",
        "description": (
            "Legal counsel is confirming whether Acme Cloud GmbH counts as a cloud "
            "computing service provider of medium size; until then we track its risk "
            "management and 24-hour early-warning duties."
        ),
        "review_in": -10,
    },
    "northwind": {
        "name": "Northwind Retail plc: MSA security schedule and DPA",
        "kind": "contractual",
        "counterparty": "Northwind Retail plc",
        "source": "MSA NR-2023-014, schedule 3; DPA clause 9 (breach notice within 24 h)",
        "owner": "security",
        "description": (
            "Notice of a personal data breach within 24 hours, annual penetration test "
            "summary, customer right to audit once a year."
        ),
        "review_in": 200,
    },
    "kessler": {
        "name": "Kessler Logistik GmbH: DPA with EU data residency",
        "kind": "contractual",
        "counterparty": "Kessler Logistik GmbH",
        "source": "Auftragsverarbeitungsvertrag §4 (processing in Frankfurt only)",
        "owner": "legal",
        "description": "Processing and backups in AWS eu-central-1 only; no transfers.",
        "review_in": 90,
    },
    "harbour": {
        "name": "Harbour & Finch LLP: information security addendum",
        "kind": "contractual",
        "counterparty": "Harbour & Finch LLP",
        "source": "Security addendum v2, clauses 4 to 7",
        "owner": "security",
        "description": "MFA for all administrative access, encryption at rest, 30-day log "
        "retention available on request.",
        "review_in": 60,
    },
    "soc2": {
        "name": "SOC 2 Type II report for enterprise customers",
        "kind": "contractual",
        "counterparty": "Enterprise customers on the standard MSA",
        "source": "Standard MSA v4, clause 12.3",
        "owner": "security",
        "description": (
            "A SOC 2 Type II report (security and availability) every year, shared under NDA."
        ),
        "review_in": 150,
    },
    "pci": {
        "name": "PCI DSS for the self-serve checkout",
        "kind": "contractual",
        "counterparty": "Stripe Payments Europe Ltd",
        "source": "Stripe Services Agreement; PCI DSS v4.0.1 SAQ A",
        "owner": "security",
        "description": (
            "Card data is entered only in Stripe's hosted fields; we complete SAQ A every "
            "year and protect the pages that embed them."
        ),
        "review_in": 240,
    },
    "retention": {
        "name": "Payroll record retention",
        "kind": "legal",
        "jurisdiction": f"{UK}; {DE}",
        "source": "Income Tax (PAYE) Regulations 2003, reg. 97; Abgabenordnung §147",
        "owner": "legal",
        "description": (
            "Keep customers' payroll records for the statutory periods (at least three "
            "years in the UK, up to ten in Germany) and delete them after."
        ),
        "review_in": 300,
    },
    "works_council": {
        "name": "Works council co-determination on monitoring tools",
        "kind": "legal",
        "jurisdiction": DE,
        "source": "Betriebsverfassungsgesetz §87(1) no. 6",
        "owner": "people",
        "description": (
            "Tools able to monitor Berlin staff (endpoint protection, log analytics) need "
            "a works agreement before roll-out."
        ),
        "review_in": 180,
    },
    "right_to_work": {
        "name": "UK right-to-work checks and employee records",
        "kind": "legal",
        "jurisdiction": UK,
        "source": ("Immigration, Asylum and Nationality Act 2006; Employment Rights Act 1996"),
        "owner": "people",
        "description": "Check and keep copies of right-to-work documents; keep staff "
        "records accurate and confidential.",
        "review_in": 365,
    },
}


ISSUES: list[dict[str, Any]] = [
    {
        "title": "Enterprise buyers require ISO/IEC 27001 certification",
        "kind": "external",
        "category": "market",
        "effect": "positive",
        "effect_description": "Certification is now a gate in most tenders over 500 seats; "
        "it gives the ISMS a clear mandate and budget.",
        "owner": "ceo",
        "review_in": 180,
    },
    {
        "title": "Ransomware and credential attacks on SaaS providers",
        "kind": "external",
        "category": "technological",
        "effect": "negative",
        "description": "Attackers target SaaS admin consoles, CI secrets and support tools.",
        "effect_description": "Raises the likelihood of breach scenarios; drives MFA, "
        "secrets management and backup isolation.",
        "owner": "security",
        "review_in": 90,
    },
    {
        "title": "Climate change: heat, flooding and customer expectations",
        "kind": "external",
        "category": "climate",
        "effect": "negative",
        "description": (
            "Hotter summers and heavier rainfall affect cloud regions, the London office "
            "and staff travel; customers ask about emissions in questionnaires."
        ),
        "effect_description": "Availability planning must assume regional outages from "
        "extreme weather; supplier reviews include climate resilience.",
        "owner": "ceo",
        "review_in": 365,
        "status": "monitored",
    },
    {
        "title": "Customers cut HR software spend in a slow economy",
        "kind": "external",
        "category": "economic",
        "effect": "negative",
        "effect_description": "Pressure on the security budget and headcount.",
        "owner": "ceo",
        "review_in": 120,
    },
    {
        "title": "UK-EU personal data flows depend on adequacy",
        "kind": "external",
        "category": "political",
        "effect": "neutral",
        "description": "Staff in London support EU customers and vice versa.",
        "effect_description": "A change in adequacy would need new transfer terms and "
        "possibly split support teams.",
        "owner": "legal",
        "review_in": -5,
        "status": "monitored",
    },
    {
        "title": "A three-person security team with key-person dependence",
        "kind": "internal",
        "category": "capabilities",
        "effect": "negative",
        "effect_description": "Incident response and audits stall when one person is away.",
        "owner": "security",
        "review_in": 60,
    },
    {
        "title": "Engineering culture of peer review and automation",
        "kind": "internal",
        "category": "culture",
        "effect": "positive",
        "effect_description": "Changes are reviewed and deployed by pipeline, which makes "
        "change control and evidence cheap to run.",
        "owner": "security",
        "review_in": 200,
    },
    {
        "title": "Fast hiring in Berlin strains joiner and leaver processes",
        "kind": "internal",
        "category": "processes",
        "effect": "negative",
        "effect_description": "Access can outlive a role change; onboarding training slips.",
        "owner": "people",
        "review_in": 45,
    },
    {
        "title": "Legacy payroll calculation engine",
        "kind": "internal",
        "category": "systems",
        "effect": "negative",
        "description": "The 2016 engine runs on an old runtime that few engineers know.",
        "effect_description": "Patching is slow; a rewrite is planned for next year.",
        "owner": "security",
        "review_in": 150,
    },
]


def _req(text: str, how: str = "", obligation: str = "") -> dict[str, Any]:
    return {"text": text, "addressed": bool(how), "how": how, "obligation": obligation}


#: ``obligation`` names a key of ``OBLIGATIONS``
PARTIES: list[dict[str, Any]] = [
    {
        "name": "Enterprise customers",
        "kind": "customer",
        "relevance": "high",
        "description": "HR and finance teams of businesses with 200 to 20,000 staff, "
        "e.g. Northwind Retail, Kessler Logistik, Harbour & Finch.",
        "requirements": [
            _req(
                "Process employee data only on instructions, under a DPA.",
                "DPA template, processing records, access control.",
                "gdpr",
            ),
            _req(
                "An independent assurance report every year.",
                "Yearly SOC 2 Type II audit; ISO/IEC 27001 certification.",
                "soc2",
            ),
            _req(
                "Notice of a personal data breach within 24 hours.",
                "Incident response plan with a customer notification step.",
                "northwind",
            ),
            _req(
                "Processing kept in the EU for German customers.",
                "Tenant pinning to eu-central-1.",
                "kessler",
            ),
        ],
    },
    {
        "name": "Customers' employees (data subjects)",
        "kind": "community",
        "relevance": "high",
        "description": "About 400,000 people whose pay and HR records we hold.",
        "requirements": [
            _req(
                "Their payslips and bank details stay confidential and correct.",
                "Encryption, role-based access, four-eyes payroll changes.",
            ),
            _req(
                "They can use their privacy rights through their employer.",
                "Export and deletion tools for customer admins.",
                "gdpr",
            ),
        ],
    },
    {
        "name": "Acme staff and contractors",
        "kind": "employee",
        "relevance": "medium",
        "description": "About 120 people in London, Berlin and remote.",
        "requirements": [
            _req(
                "Clear, workable security rules and training.",
                "Policy set, onboarding training, yearly refresher.",
            ),
            _req(
                "Monitoring of Berlin staff only under a works agreement.",
                obligation="works_council",
            ),
        ],
    },
    {
        "name": "Data protection authorities (ICO, Berlin DPA)",
        "kind": "regulator",
        "relevance": "high",
        "description": "The UK Information Commissioner's Office and the Berlin "
        "Commissioner for Data Protection and Freedom of Information.",
        "requirements": [
            _req(
                "Report notifiable breaches within 72 hours.",
                "Incident procedure with a legal assessment step.",
                "uk_gdpr",
            ),
        ],
    },
    {
        "name": "Amazon Web Services",
        "kind": "supplier",
        "relevance": "high",
        "description": "Hosts the platform in eu-west-1 and eu-central-1.",
        "requirements": [
            _req(
                "Customers secure what they build on AWS (shared responsibility).",
                "Cloud security baseline, AWS Config rules, Security Hub.",
            ),
        ],
    },
    {
        "name": "Stripe",
        "kind": "supplier",
        "relevance": "medium",
        "description": "Payment processor for self-serve plans.",
        "requirements": [
            _req(
                "Keep PCI DSS SAQ A compliance for pages embedding the card form.",
                "Yearly SAQ A; script integrity on checkout pages.",
                "pci",
            ),
        ],
    },
    {
        "name": "Investors and the board",
        "kind": "shareholder",
        "relevance": "medium",
        "description": "Series B investors with two board seats.",
        "requirements": [
            _req(
                "Quarterly reporting of security risks and incidents.",
                "Security section in the board pack.",
            ),
            _req("ISO/IEC 27001 certification within 12 months."),
        ],
    },
    {
        "name": "Cyber insurer",
        "kind": "insurer",
        "relevance": "medium",
        "description": "Holds the cyber liability policy, renewed every year.",
        "requirements": [
            _req(
                "MFA on all remote and privileged access; offline backups.",
                "Okta MFA everywhere; immutable backups in a separate account.",
            ),
        ],
    },
    {
        "name": "Certification body",
        "kind": "certification_body",
        "relevance": "low",
        "description": "Accredited body for the ISO/IEC 27001 audits.",
        "requirements": [
            _req(
                "Access to people, records and sites during audits.",
                "Audit programme and evidence register.",
            ),
        ],
    },
]


def _scope(org: Organization, actor: Actor) -> None:
    for version, comment in ((SCOPE_V1, "First scope."), (SCOPE_V2, "Adds Berlin and DR.")):
        draft = services.scope_draft_create(actor=actor, org=org, **version)
        services.scope_submit(actor=actor, scope=draft)
        services.scope_approve(actor=actor, scope=draft, comment=comment)


OWNERS = {"ceo": Role.OWNER, "security": Role.ADMIN, "legal": Role.EDITOR, "people": Role.EDITOR}


def _dated(row: dict[str, Any], users: dict[Role, User]) -> dict[str, Any]:
    """A demo row with its owner's e-mail and a review date counted from today."""
    data = {k: v for k, v in row.items() if k != "review_in"}
    data["owner"] = users[OWNERS[row["owner"]]].email
    data["review_date"] = timezone.localdate() + dt.timedelta(days=row["review_in"])
    return data


def _with_refs(party: dict[str, Any], refs: dict[str, str]) -> dict[str, Any]:
    """A demo party whose requirements name their obligations by reference."""
    requirements = [
        {**r, "obligation": refs[r["obligation"]] if r["obligation"] else ""}
        for r in party["requirements"]
    ]
    return {**party, "requirements": requirements}


@register
def build_context(org: Organization, users: dict[Role, User], actor: Actor) -> None:
    """An approved scope (two versions), issues, obligations, and parties with requirements."""
    _scope(org, actor)
    refs = {
        key: services.obligation_create(actor=actor, org=org, **_dated(row, users)).ref
        for key, row in OBLIGATIONS.items()
    }
    for issue in ISSUES:
        services.issue_create(actor=actor, org=org, **_dated(issue, users))
    for party in PARTIES:
        services.party_create(actor=actor, org=org, **_with_refs(party, refs))
