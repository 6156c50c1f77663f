"""The catalogue pages: what they show, filters in the URL, access, constant query counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from django.test import Client

from openisms.catalog.choices import RequirementKind, Theme
from openisms.catalog.loader import DATA_DIR
from openisms.catalog.models import Framework, Requirement
from openisms.catalog.services import LoadOutcome
from openisms.catalog.tests import factories
from openisms.core.models import Organization
from tests import support

BASE = "/o/alpha/catalog/"
PAGES = (
    "",
    "annex-a/",
    "annex-a/?control_type=Detective",
    "search/?q=backup",
    "frameworks/iso27001-2022/",
    "frameworks/soc2-2017/",
    "frameworks/iso27001-2022/A.8.8/",
)


def _rows(response: Any, testid: str) -> int:
    return len(re.findall(rf'data-testid="{testid}"', response.content.decode()))


def _text(response: Any) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _soc2_coverage_from_the_files() -> tuple[int, int]:
    """Annex A controls with a criterion, criteria with a control, counted from the YAML."""

    def load(name: str) -> Any:
        return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))

    iso, soc2 = load("iso27001-2022.yaml"), load("soc2-2017.yaml")
    controls = {r["ref"] for r in iso["requirements"] if r["kind"] == "control"}
    criteria = {r["ref"] for r in soc2["requirements"] if r["kind"] == "criterion"}
    pairs = [
        (m["source"], m["target"])
        for m in load("map-iso27001-2022-to-soc2-2017.yaml")["mappings"]
        if m["source"] in controls and m["target"] in criteria
    ]
    return len({s for s, _ in pairs}), len({t for _, t in pairs})


@pytest.mark.usefixtures("catalogue")
class TestWhatThePagesShow:
    def test_a_viewer_sees_the_frameworks_with_their_counts(self, client_viewer_a: Client) -> None:
        response = client_viewer_a.get(BASE)
        assert response.status_code == 200
        assert _rows(response, "framework-row") == 3
        text = _text(response)
        assert "ISO/IEC 27001:2022 iso27001-2022 ISO/IEC 2022.1 41 93 0 4" in text
        assert "iso27001-2022-to-soc2-2017" in text

    @pytest.mark.parametrize(
        ("query", "count"),
        [
            ("", 93),
            ("control_type=Detective", 13),
            ("cybersecurity_concepts=Identify", 23),
            ("theme=people", 8),
            ("new=on", 11),
        ],
    )
    def test_annex_a_filters_live_in_the_url(
        self, client_owner_a: Client, query: str, count: int
    ) -> None:
        response = client_owner_a.get(f"{BASE}annex-a/?{query}")
        assert response.status_code == 200
        assert _rows(response, "control-row") == count

    def test_annex_a_combines_filters_and_words(self, client_owner_a: Client) -> None:
        controls = Requirement.objects.filter(framework__code="iso27001-2022", kind="control")
        expected = [
            c.ref
            for c in controls.filter(theme="technological")
            if "Detective" in c.attributes["control_type"]
            and "Defence" in c.attributes["security_domains"]
        ]
        query = "control_type=Detective&theme=technological&security_domains=Defence"
        response = client_owner_a.get(f"{BASE}annex-a/?{query}")
        assert expected and _rows(response, "control-row") == len(expected)
        words = [c for c in controls if "backup" in f"{c.ref} {c.title} {c.summary}".lower()]
        response = client_owner_a.get(f"{BASE}annex-a/?q=Backup")
        assert words and _rows(response, "control-row") == len(words)

    def test_annex_a_groups_the_controls_by_theme(self, client_owner_a: Client) -> None:
        text = _text(client_owner_a.get(f"{BASE}annex-a/"))
        positions = [text.index(f"{label} controls") for label in Theme.labels]
        assert positions == sorted(positions)

    def test_an_unknown_filter_value_is_shown_as_an_error(self, client_owner_a: Client) -> None:
        response = client_owner_a.get(f"{BASE}annex-a/?control_type=Sneaky")
        assert response.status_code == 200
        assert "Select a valid choice" in _text(response)

    def test_the_requirement_page_shows_predecessors_and_soc2_criteria(
        self, client_owner_a: Client
    ) -> None:
        response = client_owner_a.get(f"{BASE}frameworks/iso27001-2022/A.8.8/")
        text = _text(response)
        assert "Predecessors in ISO/IEC 27001:2013" in text
        assert "A.12.6.1 Management of technical vulnerabilities part of this" in text
        assert "A.18.2.3 Technical compliance review covers more than this" in text
        assert "Related ground in SOC 2 Trust Services Criteria" in text and "CC7.1" in text
        assert "Preventive" in text and "Threat and vulnerability management" in text

    def test_a_2013_control_shows_its_2022_successor(self, client_owner_a: Client) -> None:
        text = _text(client_owner_a.get(f"{BASE}frameworks/iso27001-2013/A.12.6.1/"))
        assert "Successors in ISO/IEC 27001:2022" in text
        assert "A.8.8 Management of technical vulnerabilities part of it" in text

    def test_a_soc2_criterion_shows_the_iso_requirements_mapped_to_it(
        self, client_owner_a: Client
    ) -> None:
        text = _text(client_owner_a.get(f"{BASE}frameworks/soc2-2017/CC7.1/"))
        assert "Related ground in ISO/IEC 27001:2022" in text and "A.8.8" in text
        assert "not that one satisfies the other" in text

    def test_a_control_new_in_2022_carries_the_badge(self, client_owner_a: Client) -> None:
        response = client_owner_a.get(f"{BASE}frameworks/iso27001-2022/A.5.7/")
        assert 'data-testid="new-badge"' in response.content.decode()
        assert "no control of the 2013 edition leads here" in _text(response)

    def test_the_soc2_page_shows_both_coverage_shares_with_the_numbers(
        self, client_owner_a: Client
    ) -> None:
        controls, criteria = _soc2_coverage_from_the_files()
        assert (controls, criteria) == (91, 39)
        text = _text(client_owner_a.get(f"{BASE}frameworks/soc2-2017/"))
        assert (
            "Annex A controls of ISO/IEC 27001:2022 mapped to at least one criterion "
            f"{controls} 93 98%" in text
        )
        assert (
            "Criteria of SOC 2 Trust Services Criteria (2017, points of focus revised 2022) "
            f"covered by at least one Annex A control {criteria} 61 64%" in text
        )

    def test_the_framework_page_lists_requirements_in_document_order_by_pages(
        self, client_owner_a: Client
    ) -> None:
        response = client_owner_a.get(f"{BASE}frameworks/iso27001-2022/")
        assert _rows(response, "requirement-row") == 100
        text = _text(response)
        assert text.index("4 Context of the organization") < text.index("4.1 Understanding")
        assert "Rows 1 to 100 of 138" in text
        second = client_owner_a.get(f"{BASE}frameworks/iso27001-2022/?page=2")
        assert _rows(second, "requirement-row") == 38

    def test_the_framework_page_filters_by_kind_and_words(self, client_owner_a: Client) -> None:
        response = client_owner_a.get(f"{BASE}frameworks/iso27001-2022/?kind=clause&q=audit")
        refs = re.findall(r"/iso27001-2022/([\w.]+)/\"", response.content.decode())
        clauses = Requirement.objects.filter(framework__code="iso27001-2022", kind="clause")
        expected = [c.ref for c in clauses if "audit" in f"{c.title} {c.summary}".lower()]
        assert expected and refs == expected

    def test_search_finds_a_ref_across_frameworks(self, client_owner_a: Client) -> None:
        response = client_owner_a.get(f"{BASE}search/?q=CC6.1")
        assert _rows(response, "result-row") == 1
        response = client_owner_a.get(f"{BASE}search/?q=vulnerabilities")
        assert "iso27001-2013/A.12.6.1/" in response.content.decode()
        assert "iso27001-2022/A.8.8/" in response.content.decode()

    def test_an_unknown_ref_answers_404_with_a_hint(self, client_owner_a: Client) -> None:
        response = client_owner_a.get(f"{BASE}frameworks/iso27001-2022/8.8/")
        assert response.status_code == 404
        assert "Did you mean A.8.8?" in _text(response)
        assert client_owner_a.get(f"{BASE}frameworks/nope/").status_code == 404

    def test_pages_carry_no_inline_style_or_script(self, client_owner_a: Client) -> None:
        for page in PAGES:
            html = client_owner_a.get(BASE + page).content.decode()
            assert " style=" not in html, page
            assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html)), page
            assert "<th>" not in html, page

    def test_another_organisations_member_gets_404(
        self, client_owner_b: Client, org_a: Organization
    ) -> None:
        for page in PAGES:
            assert client_owner_b.get(BASE + page).status_code == 404, page

    def test_an_anonymous_visitor_is_sent_to_log_in(self, org_a: Organization) -> None:
        response = Client().get(BASE)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- constant query counts --------------------------------------------------------------------


def _page(client: Client, url: str) -> Any:
    return lambda: client.get(url)


def test_the_frameworks_page_runs_a_constant_number_of_queries(
    client_owner_a: Client, catalogue: list[LoadOutcome]
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            framework = factories.make_framework(f"extra-{Framework.objects.count()}")
            factories.add_requirements(framework, 1)

    support.assert_constant_queries(_page(client_owner_a, BASE), add)


def test_the_annex_a_page_runs_a_constant_number_of_queries(
    client_owner_a: Client, catalogue: list[LoadOutcome]
) -> None:
    framework = Framework.objects.get(code="iso27001-2022")
    attributes = {"control_type": ["Detective"], "security_domains": ["Defence"]}

    def add(n: int) -> None:
        factories.add_requirements(framework, n, theme=Theme.TECHNOLOGICAL, attributes=attributes)

    url = f"{BASE}annex-a/?per_page=200&q=Row"
    support.assert_constant_queries(_page(client_owner_a, url), add)


def test_the_framework_page_runs_a_constant_number_of_queries(
    client_owner_a: Client, org_a: Organization
) -> None:
    framework = factories.make_framework()
    target = factories.make_framework("test-target")
    source = factories.add_requirements(framework, 1)[0]
    factories.add_mappings(source, factories.add_requirements(target, 2), "test-set")

    def add(n: int) -> None:
        factories.add_requirements(framework, n)

    url = f"{BASE}frameworks/test-fw/?per_page=200"
    support.assert_constant_queries(_page(client_owner_a, url), add)


def test_the_requirement_page_runs_a_constant_number_of_queries(
    client_owner_a: Client, org_a: Organization
) -> None:
    framework, other = factories.make_framework(), factories.make_framework("test-other")
    requirement = factories.add_requirements(framework, 1, kind=RequirementKind.GROUP)[0]

    def add(n: int) -> None:
        targets = factories.add_requirements(other, n)
        factories.add_mappings(requirement, targets, "out-set")
        factories.add_mappings(targets[0], [requirement], "in-set")
        factories.add_requirements(framework, n, parent=requirement)

    url = f"{BASE}frameworks/test-fw/{requirement.ref}/"
    support.assert_constant_queries(_page(client_owner_a, url), add)


def test_the_search_page_runs_a_constant_number_of_queries(
    client_owner_a: Client, org_a: Organization
) -> None:
    framework = factories.make_framework()

    def add(n: int) -> None:
        factories.add_requirements(framework, n, title="Zebra")

    url = f"{BASE}search/?q=zebra&per_page=200"
    support.assert_constant_queries(_page(client_owner_a, url), add)
