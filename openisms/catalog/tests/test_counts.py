"""The acceptance counts of the bundled catalogue, read back from the database."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import Count

from openisms.catalog.choices import AttributeFamily, RequirementKind
from openisms.catalog.loader import DATA_DIR
from openisms.catalog.models import Mapping, Requirement
from openisms.catalog.services import LoadOutcome

pytestmark = pytest.mark.usefixtures("catalogue")

CLAUSES = [
    "4",
    "4.1",
    "4.2",
    "4.3",
    "4.4",
    "5",
    "5.1",
    "5.2",
    "5.3",
    "6",
    "6.1",
    "6.1.1",
    "6.1.2",
    "6.1.3",
    "6.2",
    "6.3",
    "7",
    "7.1",
    "7.2",
    "7.3",
    "7.4",
    "7.5",
    "7.5.1",
    "7.5.2",
    "7.5.3",
    "8",
    "8.1",
    "8.2",
    "8.3",
    "9",
    "9.1",
    "9.2",
    "9.2.1",
    "9.2.2",
    "9.3",
    "9.3.1",
    "9.3.2",
    "9.3.3",
    "10",
    "10.1",
    "10.2",
]
DOCUMENTED = set(
    [
        "4.3",
        "5.2",
        "6.1.2",
        "6.1.3",
        "6.2",
        "7.2",
        "7.5",
        "7.5.1",
        "8.1",
        "8.2",
        "8.3",
        "9.1",
        "9.2",
        "9.2.2",
        "9.3",
        "9.3.3",
        "10.2",
    ]
)
NEW_IN_2022 = {
    f"A.{ref}"
    for ref in ["5.7", "5.23", "5.30", "7.4", "8.9", "8.10", "8.11", "8.12", "8.16", "8.23", "8.28"]
}


def _rows(code: str, kind: str) -> list[Requirement]:
    return list(Requirement.objects.filter(framework__code=code, kind=kind).order_by("order"))


def test_every_data_file_loads_and_is_reported(catalogue: list[LoadOutcome]) -> None:
    assert {o.file for o in catalogue} == {p.name for p in DATA_DIR.glob("*.yaml")}
    assert all(o.status == "created" for o in catalogue)


def test_annex_a_has_93_controls_37_organizational_8_people_14_physical_34_technological() -> None:
    controls = _rows("iso27001-2022", RequirementKind.CONTROL)
    assert len(controls) == 93
    assert Counter(c.theme for c in controls) == {
        "organizational": 37,
        "people": 8,
        "physical": 14,
        "technological": 34,
    }
    assert controls[0].ref == "A.5.1" and controls[-1].ref == "A.8.34"
    assert all(c.ref.startswith("A.") and c.parent is not None for c in controls)


def test_clauses_4_to_10_are_complete_with_bare_refs_and_documented_information() -> None:
    clauses = _rows("iso27001-2022", RequirementKind.CLAUSE)
    assert [c.ref for c in clauses] == CLAUSES
    assert {c.ref for c in clauses if c.documented_information} == DOCUMENTED
    assert {c.ref for c in clauses if c.amended_by} == {"4.1", "4.2"}
    assert {c.ref for c in clauses if c.parent is None} == {str(n) for n in range(4, 11)}


def test_clause_5_1_and_control_a_5_1_are_different_requirements() -> None:
    clause = Requirement.objects.get(framework__code="iso27001-2022", ref="5.1")
    control = Requirement.objects.get(framework__code="iso27001-2022", ref="A.5.1")
    assert clause.kind == "clause" and control.kind == "control"


def test_every_annex_a_control_carries_all_five_attribute_families() -> None:
    controls = _rows("iso27001-2022", RequirementKind.CONTROL)
    assert all(set(c.attributes) == set(AttributeFamily.values) for c in controls)
    a88 = next(c for c in controls if c.ref == "A.8.8")
    assert a88.attributes["control_type"] == ["Preventive"]
    assert a88.attributes["cybersecurity_concepts"] == ["Identify", "Protect"]
    detective = Requirement.objects.filter(
        attribute_rows__family="control_type", attribute_rows__value="Detective"
    )
    assert detective.count() == 13


def test_all_114_controls_of_2013_are_mapped_to_2022() -> None:
    controls = Requirement.objects.filter(framework__code="iso27001-2013", kind="control")
    assert controls.count() == 114
    unmapped = controls.annotate(n=Count("mappings_out")).filter(n=0)
    assert list(unmapped.values_list("ref", flat=True)) == []
    first, last = controls.order_by("order").first(), controls.order_by("order").last()
    assert (first and first.ref, last and last.ref) == ("A.5.1.1", "A.18.2.3")


def test_the_11_controls_new_in_2022_are_marked_and_have_no_predecessor() -> None:
    controls = Requirement.objects.filter(framework__code="iso27001-2022", kind="control")
    assert set(controls.filter(is_new=True).values_list("ref", flat=True)) == NEW_IN_2022
    with_predecessor = set(
        Mapping.objects.filter(mapping_set__name="iso27001-2013-to-iso27001-2022").values_list(
            "target__ref", flat=True
        )
    )
    assert with_predecessor.isdisjoint(NEW_IN_2022)
    assert with_predecessor | NEW_IN_2022 == set(controls.values_list("ref", flat=True))


def test_soc2_has_61_criteria_33_cc_3_a_2_c_5_pi_18_p() -> None:
    criteria = _rows("soc2-2017", RequirementKind.CRITERION)
    assert len(criteria) == 61
    assert Counter(c.category for c in criteria) == {
        "security": 33,
        "availability": 3,
        "confidentiality": 2,
        "processing_integrity": 5,
        "privacy": 18,
    }
    prefixes = Counter(c.ref.rstrip("0123456789.") for c in criteria)
    assert prefixes == {"CC": 33, "A": 3, "C": 2, "PI": 5, "P": 18}
    assert criteria[0].ref == "CC1.1" and criteria[-1].ref == "P8.1"


def test_every_iso_to_soc2_pair_is_intersect_and_named_by_its_source() -> None:
    pairs = Mapping.objects.filter(mapping_set__name="iso27001-2022-to-soc2-2017")
    assert pairs.count() == 422
    assert set(pairs.values_list("relationship", flat=True)) == {"intersect"}
    mapping_set = pairs.first()
    assert mapping_set is not None and "NIST SP 800-53" in mapping_set.mapping_set.sources[0]


def test_every_data_file_names_where_its_facts_came_from_and_summaries_are_short() -> None:
    for path in DATA_DIR.glob("*.yaml"):
        header = path.read_text(encoding="utf-8").split("\n", 12)
        assert any("Where the facts come from" in line for line in header), path.name
    assert not Requirement.objects.filter(summary="").exists()
    longest = max(len(s) for s in Requirement.objects.values_list("summary", flat=True))
    assert longest <= 250
