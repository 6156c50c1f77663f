"""A member who still holds something (assets, risks, actions, controls, issues, obligations)
cannot be removed until it is given to someone else; a removed member's tokens are revoked."""

from __future__ import annotations

import pytest
from django.test import Client

from openisms.assets.models import Asset
from openisms.assets.tests.factories import make_asset
from openisms.catalog import services as catalog_services
from openisms.context.choices import ObligationStatus
from openisms.context.models import Issue, Obligation
from openisms.context.tests.factories import issue, obligation
from openisms.controls.models import Control
from openisms.core import services
from openisms.core.actors import SYSTEM
from openisms.core.choices import Role, TokenScope
from openisms.core.errors import ValidationError
from openisms.core.models import ApiToken, AuditEvent, Membership, Organization, User
from openisms.core.selectors import held
from openisms.risks.choices import ActionStatus, RiskStatus
from openisms.risks.models import Risk, TreatmentAction
from openisms.risks.tests.factories import make_action, make_risk
from tests import support

pytestmark = pytest.mark.django_db
LEAVER = "leaver@alpha.test"


@pytest.fixture
def leaver(org_a: Organization) -> User:
    return support.add_member(org_a, LEAVER, Role.EDITOR)


def _remove(owner: User, org: Organization) -> None:
    services.membership_remove(actor=owner, membership=services.membership_for(org, LEAVER))


def test_a_member_who_holds_anything_stays_until_it_is_given_away(
    owner_a: User, org_a: Organization, leaver: User
) -> None:
    catalog_services.catalog_load(actor=SYSTEM)
    make_asset(org_a, "Laptop", owner=LEAVER)
    make_asset(org_a, "CRM", custodian=LEAVER)
    risk = make_risk(org_a, "Laptop loss", owner=LEAVER)
    make_action(make_risk(org_a, "Phishing"), "Train staff", owner=LEAVER)
    Control.objects.filter(organization=org_a, ref="A.5.1").update(owner=leaver)
    Issue.objects.filter(pk=issue(org_a).pk).update(owner=leaver)
    Obligation.objects.filter(pk=obligation(org_a).pk).update(owner=leaver)
    with pytest.raises(ValidationError) as refused:
        _remove(owner_a, org_a)
    message = refused.value.errors["email"][0]
    for named in (
        "2 assets (A-0001, A-0002)",
        f"1 risk ({risk.ref})",
        "1 treatment action (R-0002: Train staff)",
        "1 control (A.5.1)",
        "1 issue (",
        "1 obligation (",
    ):
        assert named in message, (named, message)
    assert Membership.objects.filter(organization=org_a, user=leaver).exists()
    for model in (Asset, Risk, TreatmentAction, Control, Issue, Obligation):
        model.objects.filter(organization=org_a, owner=leaver).update(owner=owner_a)
    Asset.objects.filter(organization=org_a, custodian=leaver).update(custodian=None)
    _remove(owner_a, org_a)
    assert not Membership.objects.filter(organization=org_a, user=leaver).exists()


def test_closed_risks_done_actions_and_retired_obligations_do_not_hold_a_member(
    owner_a: User, org_a: Organization, leaver: User
) -> None:
    closed = make_risk(org_a, "Old risk", owner=LEAVER)
    Risk.objects.filter(pk=closed.pk).update(status=RiskStatus.CLOSED)
    done = make_action(make_risk(org_a, "Phishing"), "Train staff", owner=LEAVER)
    TreatmentAction.objects.filter(pk=done.pk).update(status=ActionStatus.DONE)
    Obligation.objects.filter(pk=obligation(org_a).pk).update(
        owner=leaver, status=ObligationStatus.RETIRED
    )
    _remove(owner_a, org_a)


def test_a_removed_members_tokens_are_revoked(
    owner_a: User, org_a: Organization, leaver: User
) -> None:
    api = support.ApiClient(support.make_token(leaver, org_a, TokenScope.READ))
    assert api.get("/api/v1/orgs/alpha/assets").status_code == 200
    _remove(owner_a, org_a)
    assert ApiToken.objects.get(user=leaver).revoked_at is not None
    event = AuditEvent.objects.filter(organization=org_a, verb="membership.removed").get()
    assert event.data["tokens_revoked"] == 1
    assert api.get("/api/v1/orgs/alpha/assets").status_code == 401


def test_the_page_and_the_api_say_what_the_member_still_holds(
    client_owner_a: Client,
    api_owner_a: support.ApiClient,
    org_a: Organization,
    leaver: User,
) -> None:
    make_asset(org_a, "Laptop", owner=LEAVER)
    answer = api_owner_a.delete(f"/api/v1/orgs/alpha/members/{LEAVER}")
    assert answer.status_code == 422
    assert "1 asset (A-0001)" in answer.json()["errors"]["email"][0]
    page = client_owner_a.post(
        f"/o/alpha/settings/members/{LEAVER}/", {"remove": "1"}, follow=True
    ).content.decode()
    assert "still holds 1 asset (A-0001)" in page
    assert Membership.objects.filter(organization=org_a, user=leaver).exists()


def test_held_names_five_and_counts_the_rest(org_a: Organization) -> None:
    for n in range(7):
        make_asset(org_a, f"Laptop {n}")
    refs = Asset.objects.filter(organization=org_a).order_by("number").values_list("ref", flat=True)
    assert held("asset", "assets", refs) == [
        "7 assets (A-0001, A-0002, A-0003, A-0004, A-0005 and 2 more)"
    ]
    assert held("asset", "assets", refs.filter(number=1)) == ["1 asset (A-0001)"]
    assert held("asset", "assets", refs.none()) == []
