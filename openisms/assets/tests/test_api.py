"""The assets API: CRUD, filters, pagination, versions, import and export."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openisms.api.assets import AssetOut
from openisms.assets.models import Asset
from openisms.assets.tests.factories import make_asset
from openisms.assets.tests.test_import import csv_bytes
from openisms.assets.tests.test_views import add_assets
from openisms.core.models import AuditEvent, Organization, User
from tests import support

URL = "/api/v1/orgs/alpha/assets"


def test_create_read_update_delete(api_owner_a: support.ApiClient, org_a: Organization) -> None:
    db = api_owner_a.send(
        "POST", URL, {"name": "Database", "kind": "software", "owner": "owner@alpha.test"}
    )
    assert db.status_code == 201, db.json()
    body = api_owner_a.send(
        "POST",
        URL,
        {
            "name": "App",
            "kind": "software",
            "owner": "owner@alpha.test",
            "confidentiality": 4,
            "tags": ["pii"],
            "depends_on": ["A-0001"],
            "next_review": "2026-09-30",
        },
    ).json()
    assert body["ref"] == "A-0002" and body["criticality"] == 4
    assert body["criticality_label"] == "Critical" and body["classification"] == "Internal"
    assert body["depends_on"] == ["A-0001"] and body["tags"] == ["pii"] and body["version"] == 1
    assert api_owner_a.get(f"{URL}/A-0002").json() == body  # the answer is the stored asset
    assert api_owner_a.get(f"{URL}/A-0001").json()["needed_by"] == ["A-0002"]
    patched = api_owner_a.send(
        "PATCH", f"{URL}/A-0002", {"version": 1, "custodian": None, "location": "AWS", "tags": []}
    )
    assert patched.status_code == 200
    assert patched.json()["location"] == "AWS" and patched.json()["tags"] == []
    assert patched.json()["version"] == 2 and patched.json()["name"] == "App"
    assert api_owner_a.delete(f"{URL}/A-0001").status_code == 204
    assert api_owner_a.get(f"{URL}/A-0002").json()["depends_on"] == []
    verbs = AuditEvent.objects.filter(verb__startswith="asset.").values_list("verb", flat=True)
    assert sorted(verbs) == ["asset.created", "asset.created", "asset.deleted", "asset.updated"]


def test_a_create_answers_what_reading_the_asset_gives(
    api_owner_a: support.ApiClient, org_a: Organization, viewer_a: User
) -> None:
    make_asset(org_a, "Base")
    given = [
        {"name": "Plain", "kind": "information", "owner": "owner@alpha.test"},
        {
            "name": "  Everything  ",
            "kind": "hardware",
            "owner": "owner@alpha.test",
            "custodian": "VIEWER@alpha.test",
            "description": "Racked in the second hall.",
            "location": "Hall 2",
            "classification": "confidential",
            "confidentiality": 3,
            "integrity": 2,
            "availability": 4,
            "status": "in_use",
            "tags": ["zeta", "Alpha", "PII"],
            "depends_on": ["a-0001"],
            "next_review": "2027-01-31",
            "external_id": "CMDB-7",
        },
        {"name": "Blank tags", "kind": "people", "owner": "owner@alpha.test", "tags": ["", " "]},
        {
            "name": "Needs the base",
            "kind": "service",
            "owner": "owner@alpha.test",
            "depends_on": ["A-0001"],
        },
    ]
    for body in given:
        created = api_owner_a.send("POST", URL, body)
        assert created.status_code == 201, created.json()
        assert api_owner_a.get(f"{URL}/{created.json()['ref']}").json() == created.json()
    assert created.json()["depends_on"] == ["A-0001"] and created.json()["needed_by"] == []


def test_a_create_without_links_reads_nothing_back(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    body = {"name": "Plain", "kind": "information", "owner": "owner@alpha.test", "tags": [" "]}
    with CaptureQueriesContext(connection) as queries:
        created = api_owner_a.send("POST", URL, body)
    assert created.status_code == 201 and created.json()["tags"] == []
    # A statement the server binds may be captured without its text (None).
    texts = [q["sql"] or "" for q in queries.captured_queries]
    reads = [sql for sql in texts if sql.startswith("SELECT")]
    assert not [sql for sql in reads if 'FROM "assets_asset"' in sql or "assets_assettag" in sql]


def test_a_stale_version_answers_409(api_owner_a: support.ApiClient, org_a: Organization) -> None:
    make_asset(org_a)
    first = api_owner_a.send("PATCH", f"{URL}/A-0001", {"version": 1, "name": "X"})
    assert first.status_code == 200
    response = api_owner_a.send("PATCH", f"{URL}/A-0001", {"version": 1, "name": "Y"})
    assert response.status_code == 409
    assert "changed by someone else" in response.json()["detail"]


def test_validation_errors_name_the_field(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    response = api_owner_a.send(
        "POST", URL, {"name": "X", "kind": "rocket", "owner": "owner@beta.test"}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"kind", "owner"}


def test_a_cycle_is_refused_showing_the_cycle(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    one = make_asset(org_a, "One")
    make_asset(org_a, "Two", depends_on=[one.ref])
    response = api_owner_a.send("PATCH", f"{URL}/A-0001", {"depends_on": ["A-0002"]})
    assert response.status_code == 422
    assert "A-0001 -> A-0002 -> A-0001" in response.json()["errors"]["depends_on"][0]


def test_the_json_keeps_accented_text_and_iso_times(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    made = api_owner_a.send(
        "POST",
        URL,
        {"name": "Paie Zürich · Genève", "kind": "hardware", "owner": "owner@alpha.test"},
    )
    assert made.headers["Content-Type"].startswith("application/json")
    assert "Paie Zürich · Genève".encode() in made.content  # UTF-8, not \u escapes
    listed = api_owner_a.get(URL).json()["items"][0]
    assert listed["name"] == "Paie Zürich · Genève"
    created = dt.datetime.fromisoformat(listed["created_at"].replace("Z", "+00:00"))
    assert created.tzinfo is not None and abs(created - timezone.now()) < dt.timedelta(minutes=5)


def test_the_list_filters_sorts_and_pages(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    make_asset(org_a, "Bravo", kind="site", tags="office")
    make_asset(org_a, "Alpha", kind="site", confidentiality=4)
    make_asset(org_a, "Charlie", kind="hardware", tags="office")
    body = api_owner_a.get(f"{URL}?kind=site&sort=name").json()
    assert [a["name"] for a in body["items"]] == ["Alpha", "Bravo"] and body["count"] == 2
    support.assert_api_rows(body["items"], AssetOut)
    assert [a["ref"] for a in api_owner_a.get(f"{URL}?tag=office&sort=-ref").json()["items"]] == [
        "A-0003",
        "A-0001",
    ]
    assert api_owner_a.get(f"{URL}?criticality=3%2B").json()["count"] == 1
    paged = api_owner_a.get(f"{URL}?page_size=2&page=2").json()
    assert paged["page"] == 2 and paged["page_size"] == 2 and len(paged["items"]) == 1
    assert paged["count"] == 3  # the last page: counted from the rows before it
    beyond = api_owner_a.get(f"{URL}?page_size=2&page=5").json()
    assert (beyond["items"], beyond["count"]) == ([], 3)
    assert api_owner_a.get(f"{URL}?kind=software").json()["count"] == 0
    bad = api_owner_a.get(f"{URL}?sort=colour&criticality=9")
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"sort", "criticality"}


def test_the_list_runs_the_same_queries_for_1_and_200_assets(
    api_owner_a: support.ApiClient, org_a: Organization, owner_a: User
) -> None:
    added = [0]

    def add(n: int) -> None:
        add_assets(org_a, owner_a, n, start=added[0])
        added[0] += n

    support.assert_constant_queries(lambda: api_owner_a.get(f"{URL}?page_size=1000"), add)
    body = api_owner_a.get(f"{URL}?page_size=1000").json()
    assert (len(body["items"]), body["count"], body["page_size"]) == (200, 200, 1000)


def test_a_viewer_reads_but_cannot_write(
    api_viewer_a: support.ApiClient, org_a: Organization
) -> None:
    make_asset(org_a)
    assert api_viewer_a.get(URL).status_code == 200
    assert (
        api_viewer_a.send("POST", URL, {"name": "X", "kind": "site", "owner": "x"}).status_code
        == 403
    )
    assert api_viewer_a.send("PATCH", f"{URL}/A-0001", {"name": "X"}).status_code == 403
    assert api_viewer_a.delete(f"{URL}/A-0001").status_code == 403
    upload = SimpleUploadedFile("a.csv", b"name,kind,owner\nX,site,owner@alpha.test\n")
    assert api_viewer_a.post(f"{URL}/import", {"file": upload}).status_code == 403
    assert Asset.objects.get().name == "Payroll database"


def test_a_read_only_token_cannot_write(owner_a: User, org_a: Organization) -> None:
    api = support.ApiClient(support.make_token(owner_a, org_a))
    response = api.send("POST", URL, {"name": "X", "kind": "site", "owner": owner_a.email})
    assert response.status_code == 403 and "read-only" in response.json()["detail"]


def test_import_refuses_a_bad_file_with_errors_keyed_by_row_and_field(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    rows = [["Good", "site", "owner@alpha.test"]] * 5 + [["Bad", "site", "ghost@alpha.test"]]
    upload = SimpleUploadedFile("a.csv", csv_bytes(rows, ["Name", "Kind", "Owner"]))
    response = api_owner_a.post(f"{URL}/import", {"file": upload})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["row 7: owner"]
    assert not Asset.objects.exists()


def test_import_with_dry_run_checks_and_then_imports(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    content = csv_bytes([["Server", "hardware", "owner@alpha.test"]], ["Name", "Kind", "Owner"])
    dry = api_owner_a.post(
        f"{URL}/import", {"file": SimpleUploadedFile("a.csv", content), "dry_run": "true"}
    )
    assert dry.status_code == 200 and dry.json()["dry_run"] and dry.json()["created"] == 1
    assert not Asset.objects.exists()
    done = api_owner_a.post(f"{URL}/import", {"file": SimpleUploadedFile("a.csv", content)})
    assert done.json()["created_refs"] == ["A-0001"]
    assert api_owner_a.post(f"{URL}/import", {}).json()["errors"]["file"]


def test_export_gives_the_filtered_list(
    api_owner_a: support.ApiClient, org_a: Organization
) -> None:
    make_asset(org_a, "Site", kind="site")
    make_asset(org_a, "Server", kind="hardware")
    response = api_owner_a.get(f"{URL}/export?format=csv&kind=hardware")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["Name"] for r in rows] == ["Server"]
    assert api_owner_a.get(f"{URL}/export?format=doc").status_code == 422
