"""The catalogue API: frameworks, requirements with filters, mappings, access, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from openisms.catalog.models import Framework, Requirement
from openisms.catalog.tests import factories
from openisms.core.models import Organization
from tests import support

API = "/api/v1/catalog"


def test_without_credentials_the_catalogue_answers_401(org_a: Organization) -> None:
    for path in ("/frameworks", "/requirements", "/mappings", "/requirements/x/y"):
        response = Client().get(API + path)
        assert response.status_code == 401, path
        assert "Authentication required" in response.json()["detail"]


@pytest.mark.usefixtures("catalogue")
class TestReads:
    def test_a_viewers_token_lists_the_frameworks_with_counts(
        self, api_viewer_a: support.ApiClient
    ) -> None:
        body = api_viewer_a.get(f"{API}/frameworks").json()
        assert body["count"] == 3
        counts = {f["code"]: f["counts"] for f in body["items"]}
        assert counts["iso27001-2022"] == {
            "total": 138,
            "clause": 41,
            "control": 93,
            "criterion": 0,
            "group": 4,
        }
        assert counts["soc2-2017"]["criterion"] == 61 and counts["iso27001-2013"]["control"] == 114

    def test_the_soc2_framework_answers_its_coverage(self, api_owner_a: support.ApiClient) -> None:
        body = api_owner_a.get(f"{API}/frameworks/soc2-2017").json()
        assert body["framework"]["sources"] == ["AICPA TSC id structure"]
        [coverage] = body["coverage"]
        assert coverage["source"] == {
            "framework": "iso27001-2022",
            "kind": "control",
            "covered": 91,
            "total": 93,
            "percent": 98,
        }
        assert (coverage["target"]["covered"], coverage["target"]["total"]) == (39, 61)
        assert body["mapping_sets"][0]["mappings"] == 422

    @pytest.mark.parametrize(
        ("query", "count"),
        [
            ("framework=iso27001-2022&kind=control", 93),
            ("framework=iso27001-2022&kind=control&theme=physical", 14),
            ("framework=iso27001-2022&kind=clause", 41),
            ("attribute=control_type:Detective", 13),
            ("framework=soc2-2017&kind=criterion&category=privacy", 18),
            ("framework=iso27001-2022&is_new=true", 11),
            ("q=CC6.1", 1),
        ],
    )
    def test_requirements_filter_by_framework_kind_theme_attribute_and_words(
        self, api_owner_a: support.ApiClient, query: str, count: int
    ) -> None:
        body = api_owner_a.get(f"{API}/requirements?{query}&page_size=200").json()
        assert body["count"] == count, body

    def test_two_attributes_must_both_hold(self, api_owner_a: support.ApiClient) -> None:
        controls = Requirement.objects.filter(framework__code="iso27001-2022", kind="control")
        expected = {
            c.key
            for c in controls.select_related("framework")
            if "Preventive" in c.attributes["control_type"]
            and "Detect" in c.attributes["cybersecurity_concepts"]
        }
        query = "attribute=control_type:Preventive&attribute=cybersecurity_concepts:Detect"
        items = api_owner_a.get(f"{API}/requirements?{query}&page_size=200").json()["items"]
        assert expected and {item["key"] for item in items} == expected

    def test_a_bad_attribute_filter_answers_422_naming_the_field(
        self, api_owner_a: support.ApiClient
    ) -> None:
        response = api_owner_a.get(f"{API}/requirements?attribute=colour:blue")
        assert response.status_code == 422
        assert "attribute" in response.json()["errors"]
        response = api_owner_a.get(f"{API}/requirements?attribute=control_type:Sneaky")
        assert (
            response.status_code == 422 and "not a control_type value" in response.json()["detail"]
        )
        assert api_owner_a.get(f"{API}/requirements?kind=nope").status_code == 422

    def test_one_requirement_answers_its_mappings_both_ways(
        self, api_owner_a: support.ApiClient
    ) -> None:
        body = api_owner_a.get(f"{API}/requirements/iso27001-2022/A.8.8").json()
        assert body["requirement"]["key"] == "iso27001-2022:A.8.8"
        assert body["requirement"]["parent"] == "A.8"
        links = {(link["direction"], link["requirement"]["key"]) for link in body["links"]}
        assert ("from", "iso27001-2013:A.12.6.1") in links
        assert ("to", "soc2-2017:CC7.1") in links

    def test_an_unknown_requirement_answers_404_with_a_hint(
        self, api_owner_a: support.ApiClient
    ) -> None:
        response = api_owner_a.get(f"{API}/requirements/iso27001-2022/8.8")
        assert response.status_code == 404
        assert "Did you mean A.8.8?" in response.json()["detail"]
        assert api_owner_a.get(f"{API}/frameworks/nope").status_code == 404

    @pytest.mark.parametrize(
        ("query", "count"),
        [
            ("source_framework=iso27001-2013", 115),
            ("target_framework=soc2-2017", 422),
            ("mapping_set=iso27001-2013-to-iso27001-2022", 115),
            ("requirement=iso27001-2013:A.18.2.3", 2),
            ("requirement=iso27001-2022:A.5.7&source_framework=iso27001-2013", 0),
        ],
    )
    def test_mappings_filter_by_frameworks_and_requirement(
        self, api_owner_a: support.ApiClient, query: str, count: int
    ) -> None:
        body = api_owner_a.get(f"{API}/mappings?{query}").json()
        assert body["count"] == count, body

    def test_a_mapping_names_both_ends_and_its_relationship(
        self, api_owner_a: support.ApiClient
    ) -> None:
        body = api_owner_a.get(f"{API}/mappings?requirement=iso27001-2013:A.12.6.1").json()
        assert body["items"] == [
            {
                "mapping_set": "iso27001-2013-to-iso27001-2022",
                "source": {
                    "key": "iso27001-2013:A.12.6.1",
                    "framework": "iso27001-2013",
                    "ref": "A.12.6.1",
                    "kind": "control",
                    "title": "Management of technical vulnerabilities",
                },
                "target": {
                    "key": "iso27001-2022:A.8.8",
                    "framework": "iso27001-2022",
                    "ref": "A.8.8",
                    "kind": "control",
                    "title": "Management of technical vulnerabilities",
                },
                "relationship": "subset",
            }
        ]

    def test_a_bad_requirement_filter_is_explained(self, api_owner_a: support.ApiClient) -> None:
        response = api_owner_a.get(f"{API}/mappings?requirement=A.8.8")
        assert response.status_code == 422 and "<framework>:<ref>" in response.json()["detail"]
        assert api_owner_a.get(f"{API}/mappings?requirement=iso27001-2022:8.8").status_code == 404

    def test_the_browser_session_reads_too(self, client_owner_b: Client) -> None:
        assert client_owner_b.get(f"{API}/frameworks").json()["count"] == 3


# --- constant query counts --------------------------------------------------------------------


def _get(api: support.ApiClient, url: str) -> Any:
    return lambda: api.get(url)


def test_the_framework_list_runs_a_constant_number_of_queries(
    api_owner_a: support.ApiClient,
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            framework = factories.make_framework(f"extra-{Framework.objects.count()}")
            factories.add_requirements(framework, 1)

    support.assert_constant_queries(_get(api_owner_a, f"{API}/frameworks?page_size=500"), add)


def test_the_requirement_list_runs_a_constant_number_of_queries(
    api_owner_a: support.ApiClient,
) -> None:
    framework = factories.make_framework()

    def add(n: int) -> None:
        factories.add_requirements(framework, n, attributes={"control_type": ["Detective"]})

    url = f"{API}/requirements?framework=test-fw&page_size=500"
    support.assert_constant_queries(_get(api_owner_a, url), add)


def test_the_requirement_detail_runs_a_constant_number_of_queries(
    api_owner_a: support.ApiClient,
) -> None:
    framework, other = factories.make_framework(), factories.make_framework("test-other")
    requirement = factories.add_requirements(framework, 1)[0]

    def add(n: int) -> None:
        factories.add_mappings(requirement, factories.add_requirements(other, n), "out-set")

    url = f"{API}/requirements/test-fw/{requirement.ref}"
    support.assert_constant_queries(_get(api_owner_a, url), add)


def test_the_mapping_list_runs_a_constant_number_of_queries(
    api_owner_a: support.ApiClient,
) -> None:
    framework, other = factories.make_framework(), factories.make_framework("test-other")
    requirement = factories.add_requirements(framework, 1)[0]

    def add(n: int) -> None:
        factories.add_mappings(requirement, factories.add_requirements(other, n), "out-set")

    url = f"{API}/mappings?mapping_set=out-set&page_size=500"
    support.assert_constant_queries(_get(api_owner_a, url), add)
