"""Pages: the register with filters, sorting, bulk changes; one asset; forms; import; settings."""

from __future__ import annotations

import datetime as dt
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from openisms.assets import services
from openisms.assets.imports import import_file
from openisms.assets.models import Asset, Classification, ImportJob
from openisms.assets.rules import AssetInput
from openisms.assets.tests.factories import make_asset
from openisms.assets.tests.test_import import csv_bytes
from openisms.core.choices import Role
from openisms.core.models import AuditEvent, Organization, User
from tests import support

LIST = "/o/alpha/assets/"


def _asset_form(name: str, kind: str = "hardware", **extra: str) -> dict[str, str]:
    """What the asset form posts for an asset called ``name``."""
    return {
        "name": name,
        "kind": kind,
        "owner": "owner@alpha.test",
        "classification": "Internal",
        "confidentiality": "2",
        "integrity": "2",
        "availability": "2",
        "status": "in_use",
        **extra,
    }


def _refs(html: str) -> list[str]:
    return re.findall(r'href="/o/alpha/assets/(A-\d+)/"', html)


def add_assets(org: Organization, owner: User, count: int, start: int = 0) -> None:
    """``count`` assets with tags and a dependency each, imported in one go."""
    header = ["External ID", "Name", "Kind", "Owner", "Custodian", "Tags", "Depends on"]
    rows = [
        [
            f"x-{n}",
            f"Server {n}",
            "hardware",
            owner.email,
            owner.email,
            f"rack-{n % 3}; fleet",
            f"x-{n - 1}" if n else "",
        ]
        for n in range(start, start + count)
    ]
    import_file(actor=owner, org=org, filename="a.csv", content=csv_bytes(rows, header))


def test_the_list_filters_by_kind_owner_classification_criticality_tag_and_text(
    client_owner_a: Client, org_a: Organization, owner_a: User
) -> None:
    editor = support.add_member(org_a, "editor@alpha.test", Role.EDITOR)
    make_asset(org_a, "Customer payroll data", kind="information", confidentiality=4, tags="pii")
    make_asset(org_a, "Laptop fleet", kind="hardware", owner=editor.email, tags="endpoint")
    make_asset(
        org_a, "Website", kind="software", classification="Public", description="Public site"
    )
    assert _refs(client_owner_a.get(LIST).content.decode()) == ["A-0001", "A-0002", "A-0003"]
    cases = {
        "kind=hardware": ["A-0002"],
        "owner=editor%40alpha.test": ["A-0002"],
        "classification=Public": ["A-0003"],
        "criticality=4": ["A-0001"],
        "criticality=2%2B": ["A-0001", "A-0002", "A-0003"],
        "tag=PII": ["A-0001"],
        "q=public+site": ["A-0003"],
        "q=A-0002": ["A-0002"],
        "kind=software&tag=pii": [],
    }
    for query, expected in cases.items():
        response = client_owner_a.get(f"{LIST}?{query}")
        assert response.status_code == 200
        assert _refs(response.content.decode()) == expected, query


def test_sorting_links_keep_the_filters_and_reverse_on_a_second_click(
    client_owner_a: Client, org_a: Organization
) -> None:
    make_asset(org_a, "Bravo", kind="site")
    make_asset(org_a, "Alpha", kind="site")
    make_asset(org_a, "Charlie", kind="hardware")
    html = client_owner_a.get(f"{LIST}?kind=site&sort=name").content.decode()
    assert _refs(html) == ["A-0002", "A-0001"]
    assert 'href="?kind=site&amp;sort=-name"' in html  # the next click reverses
    assert 'aria-sort="ascending"' in html
    html = client_owner_a.get(f"{LIST}?kind=site&sort=-name").content.decode()
    assert _refs(html) == ["A-0001", "A-0002"]


def test_the_list_is_paginated(client_owner_a: Client, org_a: Organization, owner_a: User) -> None:
    add_assets(org_a, owner_a, 30)
    html = client_owner_a.get(f"{LIST}?per_page=25&page=2&sort=-ref").content.decode()
    assert _refs(html) == ["A-0005", "A-0004", "A-0003", "A-0002", "A-0001"]
    assert "Rows 26 to 30 of 30" in html


def test_the_list_page_runs_the_same_queries_for_1_and_200_assets(
    client_owner_a: Client, org_a: Organization, owner_a: User
) -> None:
    added = [0]

    def add(n: int) -> None:
        add_assets(org_a, owner_a, n, start=added[0])
        added[0] += n

    count = support.assert_constant_queries(lambda: client_owner_a.get(f"{LIST}?per_page=200"), add)
    assert count <= 12


def test_the_asset_page_runs_the_same_queries_for_1_and_200_dependants(
    client_owner_a: Client, org_a: Organization, owner_a: User
) -> None:
    hub, added = make_asset(org_a, "Hub", tags="core"), [0]
    header = ["Name", "Kind", "Owner", "Tags", "Depends on"]

    def add(n: int) -> None:
        rows = [[f"S{added[0] + i}", "hardware", owner_a.email, "a; b", hub.ref] for i in range(n)]
        import_file(actor=owner_a, org=org_a, filename="a.csv", content=csv_bytes(rows, header))
        added[0] += n

    support.assert_constant_queries(lambda: client_owner_a.get(f"{LIST}{hub.ref}/"), add)
    assert Asset.objects.get(pk=hub.pk).needed_by.count() == 200


def test_the_asset_page_shows_dependencies_both_ways(
    client_owner_a: Client, org_a: Organization
) -> None:
    db = make_asset(org_a, "Database")
    app = make_asset(org_a, "Payroll app", depends_on=[db.ref])
    make_asset(org_a, "Portal", depends_on=[app.ref])
    html = client_owner_a.get(f"{LIST}{app.ref}/").content.decode()
    depends = html.split('data-testid="depends-on"')[1].split("</section>")[0]
    needed = html.split('data-testid="needed-by"')[1].split("</section>")[0]
    assert "A-0001" in depends and "A-0003" not in depends
    assert "A-0003" in needed and "A-0001" not in needed
    assert client_owner_a.get(f"{LIST}A-0099/").status_code == 404


def test_creating_an_asset_through_the_page(client_owner_a: Client, org_a: Organization) -> None:
    form = {
        "name": "Customer payroll data",
        "kind": "information",
        "owner": "owner@alpha.test",
        "classification": "Restricted",
        "confidentiality": "4",
        "integrity": "4",
        "availability": "3",
        "status": "in_use",
        "tags": "pii, payroll",
    }
    response = client_owner_a.post(f"{LIST}new/", form)
    assert response.status_code == 302 and response["Location"] == f"{LIST}A-0001/"
    asset = Asset.objects.get()
    assert asset.criticality == 4 and asset.classification.name == "Restricted"
    assert AuditEvent.objects.filter(verb="asset.created", target_id="A-0001").exists()


def test_a_form_error_is_shown_beside_the_field_and_keeps_what_was_typed(
    client_owner_a: Client, org_a: Organization
) -> None:
    make_asset(org_a, "First", depends_on=[])
    form = _asset_form("Second", kind="software", depends_on="A-0001, A-0042")
    response = client_owner_a.post(f"{LIST}new/", form)
    html = response.content.decode()
    assert response.status_code == 422
    assert "No asset A-0042 in this organisation." in html
    assert 'value="A-0001, A-0042"' in html and 'value="Second"' in html


def test_a_stale_edit_is_refused_with_a_message(
    client_owner_a: Client, org_a: Organization, owner_a: User
) -> None:
    asset = make_asset(org_a, "Laptop")
    page = client_owner_a.get(f"{LIST}A-0001/edit/").content.decode()
    assert 'name="version" value="1"' in page
    services.asset_update(actor=owner_a, asset=asset, data=AssetInput(location="London"))
    form = _asset_form("Laptop (mine)", version="1")
    response = client_owner_a.post(f"{LIST}A-0001/edit/", form)
    assert response.status_code == 422
    assert "changed by someone else" in response.content.decode()
    assert Asset.objects.get().name == "Laptop"


def test_deleting_asks_once_saying_what_goes_with_the_asset(
    client_owner_a: Client, org_a: Organization
) -> None:
    db = make_asset(org_a, "Database")
    make_asset(org_a, "App", depends_on=[db.ref])
    html = client_owner_a.get(f"{LIST}A-0001/delete/").content.decode()
    assert "It is needed by" in html and "A-0002 App" in html
    response = client_owner_a.post(f"{LIST}A-0001/delete/")
    assert response.status_code == 302
    assert list(Asset.objects.values_list("ref", flat=True)) == ["A-0002"]


def test_a_viewer_reads_but_cannot_write(client_viewer_a: Client, org_a: Organization) -> None:
    make_asset(org_a, "Laptop")
    html = client_viewer_a.get(LIST).content.decode()
    assert "A-0001" in html and "New asset" not in html and 'id="bulk"' not in html
    assert client_viewer_a.get(f"{LIST}A-0001/").status_code == 200
    for url in ("new/", "A-0001/edit/", "A-0001/delete/", "import/"):
        assert client_viewer_a.get(f"{LIST}{url}").status_code == 403, url
    assert client_viewer_a.post(f"{LIST}bulk/", {"refs": ["A-0001"]}).status_code == 403
    assert client_viewer_a.post(f"{LIST}settings/", {"form": "levels"}).status_code == 403
    assert Asset.objects.get().version == 1


def test_bulk_change_of_the_ticked_assets_returns_to_the_same_filtered_list(
    client_owner_a: Client, org_a: Organization
) -> None:
    for name in ("One", "Two", "Three"):
        make_asset(org_a, name)
    response = client_owner_a.post(
        f"{LIST}bulk/",
        {
            "refs": ["A-0001", "A-0003"],
            "classification": "Confidential",
            "add_tags": "audit",
            "query": "kind=software&sort=-name",
        },
    )
    assert response["Location"] == f"{LIST}?kind=software&sort=-name"
    labels = dict(Asset.objects.values_list("ref", "classification__name"))
    assert labels == {"A-0001": "Confidential", "A-0002": "Internal", "A-0003": "Confidential"}
    assert AuditEvent.objects.filter(verb="asset.updated").count() == 2


def test_importing_through_the_pages_upload_preview_mapping_commit(
    client_owner_a: Client, org_a: Organization
) -> None:
    header = ["Asset", "Category", "Owner e-mail", "Remarks"]
    content = csv_bytes([["Server 1", "hardware", "owner@alpha.test", "in rack 4"]], header)
    upload = SimpleUploadedFile("servers.csv", content, content_type="text/csv")
    response = client_owner_a.post(f"{LIST}import/", {"file": upload})
    job = ImportJob.objects.get()
    assert response["Location"] == f"{LIST}import/{job.pk}/"
    assert job.mapping == ["name", "kind", "owner", ""]
    html = client_owner_a.get(response["Location"]).content.decode()
    assert "Server 1" in html and "No errors" in html
    mapping = {"col_0": "name", "col_1": "kind", "col_2": "owner", "col_3": "description"}
    client_owner_a.post(response["Location"], {**mapping, "action": "map"})
    response = client_owner_a.post(response["Location"], {**mapping, "action": "commit"})
    assert response.status_code == 302 and response["Location"] == LIST
    assert Asset.objects.get().description == "in rack 4"
    assert client_owner_a.get(f"{LIST}import/{job.pk}/").status_code == 302  # done once


def test_an_import_with_errors_lists_them_and_writes_nothing(
    client_owner_a: Client, org_a: Organization
) -> None:
    content = csv_bytes([["Server", "fridge", "owner@alpha.test"]], ["Name", "Kind", "Owner"])
    client_owner_a.post(f"{LIST}import/", {"file": SimpleUploadedFile("s.csv", content)})
    url = f"{LIST}import/{ImportJob.objects.get().pk}/"
    response = client_owner_a.post(
        url, {"col_0": "name", "col_1": "kind", "col_2": "owner", "action": "commit"}
    )
    html = response.content.decode()
    assert response.status_code == 422 and "1 error" in html
    assert "&#x27;fridge&#x27; is not a kind of asset" in html
    assert not Asset.objects.exists()


def test_a_wrong_file_is_refused_at_upload(client_owner_a: Client, org_a: Organization) -> None:
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = client_owner_a.post(f"{LIST}import/", {"file": upload})
    assert response.status_code == 422
    assert "Upload a .csv or .xlsx file" in response.content.decode()


def test_another_users_import_is_not_found(client_owner_a: Client, org_a: Organization) -> None:
    admin = support.add_member(org_a, "admin@alpha.test", Role.ADMIN)
    other = Client()
    other.force_login(admin)
    content = csv_bytes([["S", "hardware", "owner@alpha.test"]], ["Name", "Kind", "Owner"])
    other.post(f"{LIST}import/", {"file": SimpleUploadedFile("s.csv", content)})
    job = ImportJob.objects.get()
    assert client_owner_a.get(f"{LIST}import/{job.pk}/").status_code == 404


def test_the_settings_page_renames_reorders_and_sets_the_default_label(
    client_owner_a: Client, org_a: Organization
) -> None:
    labels = list(Classification.objects.filter(organization=org_a).order_by("position"))
    data = {
        "form": "labels",
        "labels-TOTAL_FORMS": "5",
        "labels-INITIAL_FORMS": "4",
        "default": "4",
    }
    for i, label in enumerate(labels):
        data |= {
            f"labels-{i}-pk": str(label.pk),
            f"labels-{i}-name": label.name,
            f"labels-{i}-position": str(label.position),
        }
    data |= {"labels-4-name": "Secret", "labels-4-position": "9", "labels-0-remove": "on"}
    response = client_owner_a.post(f"{LIST}settings/", data)
    assert response.status_code == 302
    names = list(
        Classification.objects.filter(organization=org_a).values_list("name", "is_default")
    )
    assert names == [
        ("Internal", False),
        ("Confidential", False),
        ("Restricted", False),
        ("Secret", True),
    ]


def test_the_settings_page_saves_the_level_definitions(
    client_owner_a: Client, org_a: Organization
) -> None:
    html = client_owner_a.get(f"{LIST}settings/").content.decode()
    data = dict(re.findall(r'name="([cia]\d_(?:label|description))"[^>]*value="([^"]*)"', html))
    assert len(data) == 24
    data |= {"form": "levels", "a4_label": "Round the clock"}
    assert client_owner_a.post(f"{LIST}settings/", data).status_code == 302
    assert "4 · Round the clock" in client_owner_a.get(f"{LIST}new/").content.decode()


def test_the_dashboard_shows_the_asset_tiles(client_owner_a: Client, org_a: Organization) -> None:
    make_asset(org_a, "Critical thing", confidentiality=4)
    make_asset(org_a, "Dull thing")
    html = client_owner_a.get("/o/alpha/").content.decode()
    assert re.search(r"Assets</div>\s*<div class=\"h1 mb-0\"><a href=\"/o/alpha/assets/\">2<", html)
    assert re.search(r"High or critical assets</div>\s*<div[^>]*><a [^>]*>1<", html)


def test_uploads_older_than_a_day_are_purged_at_the_next_upload(
    client_owner_a: Client, org_a: Organization
) -> None:
    content = csv_bytes([["S", "hardware", "owner@alpha.test"]], ["Name", "Kind", "Owner"])
    client_owner_a.post(f"{LIST}import/", {"file": SimpleUploadedFile("old.csv", content)})
    ImportJob.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    client_owner_a.post(f"{LIST}import/", {"file": SimpleUploadedFile("new.csv", content)})
    assert list(ImportJob.objects.values_list("filename", flat=True)) == ["new.csv"]


def test_a_pasted_control_character_is_named_beside_the_field(
    client_owner_a: Client, org_a: Organization
) -> None:
    response = client_owner_a.post(f"{LIST}new/", _asset_form("Laptop\x0bspare"))
    assert response.status_code == 422
    assert "Remove the character U+000B (character 7)" in response.content.decode()
    assert not Asset.objects.exists()
