"""Loading the data files: idempotent, all or nothing, updates in place, clear rejections."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openisms.catalog import services
from openisms.catalog.loader import DATA_DIR, LoadError
from openisms.catalog.models import Framework, Mapping, MappingSet, Requirement
from openisms.catalog.services import LoadOutcome
from openisms.catalog.tests import factories
from openisms.core import audit
from openisms.core.actors import SYSTEM
from openisms.core.errors import PermissionDenied
from openisms.core.models import AuditEvent, User

WRITES = ("INSERT", "UPDATE", "DELETE")


def _load(directory: Path) -> list[LoadOutcome]:
    return services.catalog_load(actor=SYSTEM, directory=directory)


def _counts() -> tuple[int, ...]:
    models = (Framework, Requirement, MappingSet, Mapping, AuditEvent)
    return tuple(model.objects.count() for model in models)


def _rejected(directory: Path) -> str:
    """Load ``directory``, expect a rejection, check nothing was written; the message."""
    before = _counts()
    with pytest.raises(LoadError) as caught:
        _load(directory)
    assert _counts() == before
    return caught.value.message


def _copy_of_bundled(tmp_path: Path, name: str, edit: Any) -> Path:
    """A copy of one bundled file, edited as text by ``edit``."""
    target = tmp_path / "data"
    target.mkdir()
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    (target / name).write_text(edit(text), encoding="utf-8")
    return target


def test_the_whole_catalogue_loads_at_once_without_a_query_per_entry(db: None) -> None:
    started = time.perf_counter()
    outcomes = services.catalog_load(actor=SYSTEM)
    elapsed = time.perf_counter() - started
    assert elapsed < 15.0, f"loading took {elapsed:.2f} s"  # about 0.5 s on an idle machine
    assert [o.status for o in outcomes] == ["created"] * 5


def test_the_first_load_records_one_event_per_framework_and_mapping_set(db: None) -> None:
    services.catalog_load(actor=SYSTEM)
    events = AuditEvent.objects.filter(verb="catalog.loaded").order_by("seq")
    assert [(e.target_type, e.target_id) for e in events] == [
        ("catalog.framework", "iso27001-2013"),
        ("catalog.framework", "iso27001-2022"),
        ("catalog.framework", "soc2-2017"),
        ("catalog.mappingset", "iso27001-2013-to-iso27001-2022"),
        ("catalog.mappingset", "iso27001-2022-to-soc2-2017"),
    ]
    first = events[1]
    assert first.organization is None and first.actor == "system"
    assert first.data["version"] == "2022.1" and first.data["created"] == 138
    assert audit.verify(None).ok


def test_loading_the_same_version_again_writes_nothing_and_records_nothing(
    catalogue: list[LoadOutcome],
) -> None:
    events = AuditEvent.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        outcomes = services.catalog_load(actor=SYSTEM)
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().startswith(WRITES)]
    assert writes == []
    assert [o.status for o in outcomes] == ["unchanged"] * 5
    assert AuditEvent.objects.count() == events


def test_a_newer_version_updates_titles_and_attributes_in_place_and_keeps_links(
    catalogue: list[LoadOutcome], tmp_path: Path
) -> None:
    before = Requirement.objects.get(framework__code="iso27001-2022", ref="A.8.8")
    mapping = Mapping.objects.get(source__ref="A.12.6.1", target=before)
    children_of_a8 = Requirement.objects.filter(parent__ref="A.8").count()

    def edit(text: str) -> str:
        text = text.replace('version: "2022.1"', 'version: "2022.2"', 1)
        text = text.replace(
            'title: "Management of technical vulnerabilities"', 'title: "Vulnerability handling"'
        )
        return text

    directory = _copy_of_bundled(tmp_path, "iso27001-2022.yaml", edit)
    events = AuditEvent.objects.count()
    [outcome] = _load(directory)
    assert (outcome.status, outcome.previous_version, outcome.updated) == ("updated", "2022.1", 1)
    after = Requirement.objects.get(pk=before.pk)
    assert after.ref == "A.8.8" and after.title == "Vulnerability handling"
    assert Mapping.objects.get(pk=mapping.pk).target_id == before.pk
    assert Requirement.objects.filter(parent__ref="A.8").count() == children_of_a8
    assert Framework.objects.get(code="iso27001-2022").version == "2022.2"
    assert AuditEvent.objects.count() == events + 1
    assert AuditEvent.objects.order_by("-seq").first().data["updated"] == 1  # type: ignore[union-attr]


def test_a_changed_attribute_is_found_by_the_attribute_filter_after_the_update(
    catalogue: list[LoadOutcome], tmp_path: Path
) -> None:
    def edit(text: str) -> str:
        text = text.replace('version: "2022.1"', 'version: "2022.2"', 1)
        marker = 'title: "Management of technical vulnerabilities"'
        head, tail = text.split(marker, 1)
        tail = tail.replace(
            "control_type: [Preventive]", "control_type: [Preventive, Detective]", 1
        )
        return head + marker + tail

    _load(_copy_of_bundled(tmp_path, "iso27001-2022.yaml", edit))
    detective = Requirement.objects.filter(
        attribute_rows__family="control_type", attribute_rows__value="Detective"
    )
    assert "A.8.8" in set(detective.values_list("ref", flat=True))
    a88 = Requirement.objects.get(framework__code="iso27001-2022", ref="A.8.8")
    assert a88.attributes["control_type"] == ["Preventive", "Detective"]


def test_a_changed_file_without_a_version_bump_is_rejected(
    catalogue: list[LoadOutcome], tmp_path: Path
) -> None:
    directory = _copy_of_bundled(
        tmp_path, "iso27001-2022.yaml", lambda t: t.replace("Threat intelligence", "Threat intel")
    )
    with pytest.raises(
        LoadError, match=r"iso27001-2022\.yaml: framework\.version: .*A\.5\.7.*bump"
    ):
        _load(directory)
    assert Requirement.objects.get(framework__code="iso27001-2022", ref="A.5.7").title == (
        "Threat intelligence"
    )


def test_an_older_version_is_refused(catalogue: list[LoadOutcome], tmp_path: Path) -> None:
    directory = _copy_of_bundled(
        tmp_path, "soc2-2017.yaml", lambda t: t.replace('version: "2017.1"', 'version: "2017.0"')
    )
    with pytest.raises(LoadError, match=r"2017\.0 is older than the loaded 2017\.1"):
        _load(directory)


def test_rows_removed_in_a_newer_version_are_deleted(db: None, tmp_path: Path) -> None:
    factories.write(tmp_path, "demo-1.yaml", factories.framework_doc())
    _load(tmp_path)
    smaller = factories.framework_doc(version="1.2", expect={"control": 1})
    smaller["requirements"] = smaller["requirements"][:2]
    factories.write(tmp_path, "demo-1.yaml", smaller)
    [outcome] = _load(tmp_path)
    assert (outcome.status, outcome.deleted) == ("updated", 1)
    assert list(Requirement.objects.values_list("ref", flat=True).order_by("order")) == ["G", "G.1"]


def test_a_removed_row_that_is_still_mapped_rejects_the_load(db: None, tmp_path: Path) -> None:
    factories.write(tmp_path, "demo-1.yaml", factories.framework_doc())
    factories.write(tmp_path, "demo-2.yaml", factories.framework_doc(code="demo-2"))
    factories.write(tmp_path, "map.yaml", factories.mapping_doc())
    _load(tmp_path)
    smaller = factories.framework_doc(version="1.2", expect={"control": 1})
    smaller["requirements"] = smaller["requirements"][:2]
    only = tmp_path / "only"
    factories.write(only, "demo-1.yaml", smaller)
    with pytest.raises(LoadError, match=r"demo-1\.yaml: requirements G\.2: removed .* Mapping"):
        _load(only)
    assert Requirement.objects.filter(framework__code="demo-1").count() == 3


def test_a_newer_mapping_set_changes_relationships_and_drops_pairs(
    db: None, tmp_path: Path
) -> None:
    factories.write(tmp_path, "demo-1.yaml", factories.framework_doc())
    factories.write(tmp_path, "demo-2.yaml", factories.framework_doc(code="demo-2"))
    factories.write(tmp_path, "map.yaml", factories.mapping_doc())
    _load(tmp_path)
    factories.write(
        tmp_path,
        "map.yaml",
        factories.mapping_doc(
            version="2", mappings=[{"source": "G.1", "target": "G.1", "relationship": "subset"}]
        ),
    )
    outcomes = {o.name: o for o in _load(tmp_path)}
    changed = outcomes["demo-1-to-demo-2"]
    assert (changed.status, changed.updated, changed.deleted) == ("updated", 1, 1)
    assert list(Mapping.objects.values_list("relationship", flat=True)) == ["subset"]
    assert MappingSet.objects.get().version == "2"


def test_only_the_console_or_a_superuser_may_load(owner_a: User) -> None:
    with pytest.raises(PermissionDenied):
        services.catalog_load(actor=owner_a)


# --- rejections: each names the file, the entry and the problem, and writes nothing ---------


def test_a_duplicate_ref_is_rejected(db: None, tmp_path: Path) -> None:
    doc = factories.framework_doc(expect={"control": 3})
    doc["requirements"].append({"ref": "G.1", "kind": "control", "title": "X", "summary": "Y."})
    factories.write(tmp_path, "demo-1.yaml", doc)
    message = _rejected(tmp_path)
    assert 'demo-1.yaml: requirement "G.1" (entry 4): duplicate ref (first at entry 2)' in message


def test_an_unknown_parent_is_rejected(db: None, tmp_path: Path) -> None:
    doc = factories.framework_doc()
    doc["requirements"][2]["parent"] = "H"
    factories.write(tmp_path, "demo-1.yaml", doc)
    message = _rejected(tmp_path)
    assert "demo-1.yaml: requirement \"G.2\" (entry 3): unknown parent 'H'" in message


def test_a_mapping_to_a_missing_requirement_is_rejected(db: None, tmp_path: Path) -> None:
    factories.write(tmp_path, "demo-1.yaml", factories.framework_doc())
    factories.write(tmp_path, "demo-2.yaml", factories.framework_doc(code="demo-2"))
    rows = [{"source": "G.1", "target": "G.9", "relationship": "equal"}]
    factories.write(tmp_path, "map.yaml", factories.mapping_doc(mappings=rows))
    message = _rejected(tmp_path)
    assert (
        "map.yaml: mapping G.1 -> G.9 (entry 1): target 'G.9' is not a requirement of demo-2"
        in (message)
    )
    assert not Framework.objects.exists()


def test_an_unknown_relationship_is_rejected(db: None, tmp_path: Path) -> None:
    factories.write(tmp_path, "demo-1.yaml", factories.framework_doc())
    factories.write(tmp_path, "demo-2.yaml", factories.framework_doc(code="demo-2"))
    rows = [{"source": "G.1", "target": "G.1", "relationship": "equals"}]
    factories.write(tmp_path, "map.yaml", factories.mapping_doc(mappings=rows))
    message = _rejected(tmp_path)
    assert "map.yaml: mapping G.1 -> G.1 (entry 1): unknown relationship 'equals'" in message
    assert not Framework.objects.exists()


def test_a_wrong_count_against_expect_is_rejected(db: None, tmp_path: Path) -> None:
    factories.write(tmp_path, "demo-1.yaml", factories.framework_doc(expect={"control": 3}))
    message = _rejected(tmp_path)
    assert "demo-1.yaml: expect.control: expected 3, the file has 2" in message


def test_a_wrong_theme_breakdown_is_rejected(db: None, tmp_path: Path) -> None:
    doc = factories.framework_doc(expect={"control": 2, "themes": {"people": 2}})
    for row in doc["requirements"][1:]:
        row["theme"] = "physical"
    factories.write(tmp_path, "demo-1.yaml", doc)
    message = _rejected(tmp_path)
    assert "demo-1.yaml: expect.themes.people: expected 2, the file has 0" in message
    assert "demo-1.yaml: expect.themes.physical: expected 0, the file has 2" in message


def test_a_wrong_mapping_count_is_rejected(db: None, tmp_path: Path) -> None:
    factories.write(tmp_path, "demo-1.yaml", factories.framework_doc())
    factories.write(tmp_path, "demo-2.yaml", factories.framework_doc(code="demo-2"))
    factories.write(tmp_path, "map.yaml", factories.mapping_doc(expect=5))
    assert "map.yaml: expect.mappings: expected 5, the file has 2" in _rejected(tmp_path)


def test_an_unquoted_ref_and_an_unknown_attribute_value_are_rejected(
    db: None, tmp_path: Path
) -> None:
    doc = factories.framework_doc()
    doc["requirements"][1]["ref"] = 4.1
    doc["requirements"][2]["attributes"] = {"control_type": ["Sneaky"]}
    factories.write(tmp_path, "demo-1.yaml", doc)
    message = _rejected(tmp_path)
    assert 'demo-1.yaml: requirement "4.1" (entry 2): ref must be a quoted string, got 4.1' in (
        message
    )
    assert "demo-1.yaml: requirement \"G.2\" (entry 3): unknown control_type value 'Sneaky'" in (
        message
    )
    assert 'requirement "G.2" (entry 3): attributes.security_domains missing' in message


def test_a_file_that_is_not_yaml_is_rejected(db: None, tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text("framework: [unclosed\n", encoding="utf-8")
    assert "broken.yaml: whole file: cannot be read as YAML" in _rejected(tmp_path)


def test_one_bad_file_rejects_the_whole_load(db: None, tmp_path: Path) -> None:
    factories.write(tmp_path, "a-good.yaml", factories.framework_doc(code="demo-9"))
    factories.write(tmp_path, "b-bad.yaml", factories.framework_doc(expect={"control": 7}))
    _rejected(tmp_path)
    assert not Framework.objects.exists()


def test_an_empty_directory_is_rejected(db: None, tmp_path: Path) -> None:
    assert "no *.yaml data files there" in _rejected(tmp_path)
