"""SoA versions: publish, approve, reject, the diff, and the override of blockers."""

from __future__ import annotations

import pytest
from django.test import Client

from openisms.controls import selectors, services
from openisms.controls.choices import SoaStatus
from openisms.controls.models import Control, SoaVersion
from openisms.controls.tests.factories import make_clean_soa, set_control
from openisms.core.errors import Conflict, PermissionDenied, ValidationError
from openisms.core.models import AuditEvent, Organization, User

pytestmark = pytest.mark.usefixtures("annex_a")


def test_publish_freezes_every_row_and_approval_supersedes_the_last(
    org_a: Organization, owner_a: User
) -> None:
    make_clean_soa(org_a)
    first = services.soa_publish(actor=owner_a, org=org_a, note="First")
    assert first.number == 1 and first.status == SoaStatus.IN_REVIEW
    assert len(first.rows) == 93 and "A.5.1" in first.html
    services.soa_approve(actor=owner_a, version=first, comment="Fine")
    second = services.soa_publish(actor=owner_a, org=org_a)
    services.soa_approve(actor=owner_a, version=second)
    first.refresh_from_db()
    assert first.status == SoaStatus.SUPERSEDED
    assert selectors.soa_version_latest_approved(org_a) == second
    verbs = set(AuditEvent.objects.filter(organization=org_a).values_list("verb", flat=True))
    assert {"soa.published", "soa.approved"} <= verbs


def test_a_frozen_version_does_not_follow_the_working_copy(
    org_a: Organization, owner_a: User
) -> None:
    make_clean_soa(org_a)
    version = services.soa_publish(actor=owner_a, org=org_a)
    set_control(org_a, "A.5.1", implementation_status="implemented")
    version.refresh_from_db()
    assert next(r for r in version.rows if r["ref"] == "A.5.1")["status"] == "planned"


def test_reject_needs_a_comment_and_only_in_review_can_be_decided(
    org_a: Organization, owner_a: User
) -> None:
    make_clean_soa(org_a)
    version = services.soa_publish(actor=owner_a, org=org_a)
    with pytest.raises(ValidationError):
        services.soa_reject(actor=owner_a, version=version, comment=" ")
    services.soa_reject(actor=owner_a, version=version, comment="A.5.7 is thin")
    assert version.status == SoaStatus.DRAFT
    with pytest.raises(Conflict):
        services.soa_approve(actor=owner_a, version=version)


def test_an_editor_cannot_approve(org_a: Organization, owner_a: User) -> None:
    from openisms.core.choices import Role
    from tests import support

    editor = support.add_member(org_a, "editor@alpha.test", Role.EDITOR)
    make_clean_soa(org_a)
    version = services.soa_publish(actor=editor, org=org_a)
    with pytest.raises(PermissionDenied):
        services.soa_approve(actor=editor, version=version)


def test_blockers_need_an_override_reason_which_is_recorded(
    org_a: Organization, owner_a: User
) -> None:
    make_clean_soa(org_a)
    Control.objects.filter(organization=org_a, ref="A.5.9").update(
        applicability="no", exclusion_justification="N/A"
    )
    with pytest.raises(ValidationError) as caught:
        services.soa_publish(actor=owner_a, org=org_a)
    assert "override_reason" in caught.value.errors
    version = services.soa_publish(actor=owner_a, org=org_a, override_reason="Auditor knows")
    assert version.override_reason == "Auditor knows"
    event = AuditEvent.objects.get(organization=org_a, verb="soa.published")
    assert event.data["blockers"] == ["weak-exclusion"]
    assert event.data["override_reason"] == "Auditor knows"


def test_the_diff_shows_a_changed_row(org_a: Organization, owner_a: User) -> None:
    make_clean_soa(org_a)
    version = services.soa_publish(actor=owner_a, org=org_a)
    set_control(
        org_a,
        "A.7.4",
        applicability="no",
        exclusion_justification="We have no premises: all staff work remotely.",
    )
    working = [r.as_dict() for r in selectors.soa_rows(actor=owner_a, org=org_a)]
    changes = selectors.soa_diff(version.rows, working)
    assert [c.ref for c in changes] == ["A.7.4"]
    assert changes[0].changes["applicable"] == ("yes", "no")


def test_publish_approve_change_and_see_it_in_the_diff_page(
    client_owner_a: Client, org_a: Organization
) -> None:
    make_clean_soa(org_a)
    base = f"/o/{org_a.slug}/controls/"
    assert client_owner_a.post(base + "versions/publish/", {"note": "v1"}).status_code == 302
    client_owner_a.post(base + "versions/1/decide/", {"decision": "approve", "comment": "ok"})
    assert SoaVersion.objects.get(organization=org_a).status == SoaStatus.APPROVED
    client_owner_a.post(
        base + "A.5.1/row/",
        {
            "version": 1,
            "applicability": "yes",
            "implementation_status": "implemented",
            "business_reason": "Customers require it in every contract we sign.",
        },
    )
    body = client_owner_a.get(base + "versions/diff/?a=1&b=working").content.decode()
    assert 'data-ref="A.5.1"' in body and "implemented" in body
    assert client_owner_a.get(base + "versions/1/").status_code == 200
    assert client_owner_a.get(base + "versions/").status_code == 200


def test_publishing_with_blockers_on_the_page_asks_for_a_reason(
    client_owner_a: Client, org_a: Organization
) -> None:
    make_clean_soa(org_a)
    Control.objects.filter(organization=org_a, ref="A.5.9").update(
        applicability="no", exclusion_justification=""
    )
    response = client_owner_a.post(f"/o/{org_a.slug}/controls/versions/publish/", {})
    assert response.status_code == 422
    assert not SoaVersion.objects.filter(organization=org_a).exists()


def test_a_viewer_cannot_publish_or_decide(client_viewer_a: Client, org_a: Organization) -> None:
    base = f"/o/{org_a.slug}/controls/versions/"
    assert client_viewer_a.post(base + "publish/", {}).status_code == 403
    assert client_viewer_a.post(base + "1/decide/", {"decision": "approve"}).status_code == 403
