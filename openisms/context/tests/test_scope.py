"""The scope statement: drafts, submission, approval by owners and admins, versions, diff."""

from __future__ import annotations

import pytest

from openisms.context import selectors, services
from openisms.context.models import ScopeStatement
from openisms.context.tests import factories
from openisms.core.choices import Role
from openisms.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from openisms.core.models import AuditEvent, Organization, User
from tests import support

SCOPE = factories.SCOPE


def _verbs(org: Organization) -> list[str]:
    events = AuditEvent.objects.filter(organization=org, verb__startswith="scope.")
    return list(events.order_by("seq").values_list("verb", flat=True))


def _in_review(actor: User, org: Organization, **fields: str) -> ScopeStatement:
    draft = services.scope_draft_create(actor=actor, org=org, **{**SCOPE, **fields})
    return services.scope_submit(actor=actor, scope=draft)


def test_the_first_draft_is_version_1_and_nothing_is_current_yet(
    owner_a: User, org_a: Organization
) -> None:
    draft = services.scope_draft_create(actor=owner_a, org=org_a, text="Draft text")
    assert (draft.number, draft.status, draft.text) == (1, "draft", "Draft text")
    assert draft.created_by == owner_a.email
    assert selectors.scope_current(org_a) is None
    assert _verbs(org_a) == ["scope.drafted"]


def test_an_owner_approves_and_the_approved_version_is_current(
    owner_a: User, org_a: Organization
) -> None:
    scope = services.scope_approve(
        actor=owner_a, scope=_in_review(owner_a, org_a), comment=" Agreed by the board "
    )
    assert scope.status == "approved" and scope.approved_by == owner_a.email
    assert scope.approval_comment == "Agreed by the board"
    assert selectors.scope_current(org_a) == scope
    assert _verbs(org_a) == ["scope.drafted", "scope.submitted", "scope.approved"]


def test_approving_a_new_version_supersedes_the_previous_one(
    owner_a: User, org_a: Organization
) -> None:
    first = factories.approved_scope(org_a)
    second = services.scope_approve(
        actor=owner_a, scope=_in_review(owner_a, org_a, summary="Wider")
    )
    first.refresh_from_db()
    assert (first.status, second.status) == ("superseded", "approved")
    assert first.superseded_at is not None
    assert selectors.scope_current(org_a) == second
    approved = AuditEvent.objects.get(organization=org_a, verb="scope.approved", data__number=2)
    assert approved.data["supersedes"] == 1
    assert [v.number for v in selectors.scope_version_list(actor=owner_a, org=org_a)] == [2, 1]


def test_an_admin_may_approve(org_a: Organization, owner_a: User) -> None:
    admin = support.add_member(org_a, "admin@alpha.test", Role.ADMIN)
    scope = services.scope_approve(actor=admin, scope=_in_review(owner_a, org_a))
    assert scope.approved_by == "admin@alpha.test"


def test_an_editor_drafts_and_submits_but_cannot_approve_or_return(org_a: Organization) -> None:
    editor = support.add_member(org_a, "editor@alpha.test", Role.EDITOR)
    scope = _in_review(editor, org_a)
    with pytest.raises(PermissionDenied, match=r"context\.approve"):
        services.scope_approve(actor=editor, scope=scope)
    with pytest.raises(PermissionDenied):
        services.scope_reject(actor=editor, scope=scope, comment="no")
    scope.refresh_from_db()
    assert scope.status == "in_review"


def test_a_viewer_cannot_start_a_draft(viewer_a: User, org_a: Organization) -> None:
    with pytest.raises(PermissionDenied):
        services.scope_draft_create(actor=viewer_a, org=org_a, **SCOPE)


def test_a_new_draft_starts_from_the_approved_scope(owner_a: User, org_a: Organization) -> None:
    exclusions = [{"item": "Sandbox", "justification": "No data"}]
    factories.approved_scope(org_a, locations="London", exclusions=exclusions)
    draft = services.scope_draft_create(actor=owner_a, org=org_a, locations="London\nBerlin")
    assert draft.number == 2 and draft.summary == SCOPE["summary"]
    assert draft.locations == "London\nBerlin" and draft.exclusions == exclusions


def test_only_one_version_is_open_at_a_time(owner_a: User, org_a: Organization) -> None:
    _in_review(owner_a, org_a)
    with pytest.raises(Conflict, match="Version 1 is already open"):
        services.scope_draft_create(actor=owner_a, org=org_a)
    assert ScopeStatement.objects.filter(organization=org_a).count() == 1


def test_submitting_needs_a_statement_and_a_summary(owner_a: User, org_a: Organization) -> None:
    draft = services.scope_draft_create(actor=owner_a, org=org_a)
    with pytest.raises(ValidationError) as caught:
        services.scope_submit(actor=owner_a, scope=draft)
    assert set(caught.value.errors) == {"text", "summary"}


def test_returning_needs_a_comment_and_makes_it_a_draft_again(
    owner_a: User, org_a: Organization
) -> None:
    scope = _in_review(owner_a, org_a)
    with pytest.raises(ValidationError, match="comment"):
        services.scope_reject(actor=owner_a, scope=scope, comment="  ")
    scope = services.scope_reject(actor=owner_a, scope=scope, comment="Add Berlin")
    assert (scope.status, scope.rejection_comment) == ("draft", "Add Berlin")
    scope = services.scope_update(actor=owner_a, scope=scope, version=scope.version, locations="B")
    assert services.scope_submit(actor=owner_a, scope=scope).status == "in_review"
    assert _verbs(org_a)[-3:] == ["scope.rejected", "scope.updated", "scope.submitted"]


def test_only_a_draft_changes_or_is_discarded(owner_a: User, org_a: Organization) -> None:
    approved = factories.approved_scope(org_a)
    with pytest.raises(Conflict, match="only a version that is draft"):
        services.scope_update(actor=owner_a, scope=approved, version=None, text="x")
    with pytest.raises(Conflict):
        services.scope_delete(actor=owner_a, scope=approved)
    with pytest.raises(Conflict):
        services.scope_approve(actor=owner_a, scope=approved)
    draft = services.scope_draft_create(actor=owner_a, org=org_a)
    with pytest.raises(Conflict, match="in review can be approved"):
        services.scope_approve(actor=owner_a, scope=draft)
    services.scope_delete(actor=owner_a, scope=draft)
    assert [s.number for s in ScopeStatement.objects.filter(organization=org_a)] == [1]
    assert _verbs(org_a)[-1] == "scope.deleted"


def test_a_stale_edit_of_the_draft_is_a_conflict(owner_a: User, org_a: Organization) -> None:
    draft = services.scope_draft_create(actor=owner_a, org=org_a)
    services.scope_update(actor=owner_a, scope=draft, version=1, text="Mine")
    with pytest.raises(Conflict):
        services.scope_update(actor=owner_a, scope=draft, version=1, text="Theirs")
    with pytest.raises(Conflict):
        services.scope_submit(actor=owner_a, scope=draft, version=1)
    draft.refresh_from_db()
    assert (draft.text, draft.version) == ("Mine", 2)


def test_every_exclusion_needs_its_justification(owner_a: User, org_a: Organization) -> None:
    with pytest.raises(ValidationError) as caught:
        services.scope_draft_create(
            actor=owner_a,
            org=org_a,
            exclusions=[
                {"item": "Sandbox", "justification": ""},
                {"item": "", "justification": ""},
            ],
        )
    assert caught.value.errors == {"exclusions.0.justification": ["Say why it is out of scope."]}
    draft = services.scope_draft_create(
        actor=owner_a, org=org_a, exclusions=[{"item": " Lab ", "justification": "No data"}, {}]
    )
    assert draft.exclusions == [{"item": "Lab", "justification": "No data"}]


def test_the_diff_shows_what_changed_field_by_field(owner_a: User, org_a: Organization) -> None:
    first = factories.approved_scope(org_a, locations="London")
    second = factories.approved_scope(org_a, locations="London\nBerlin")
    diff = {d.name: d for d in selectors.scope_diff(first, second)}
    assert not diff["summary"].changed
    assert diff["locations"].changed
    assert [(line.op, line.text) for line in diff["locations"].lines] == [
        ("same", "London"),
        ("added", "Berlin"),
    ]
    assert selectors.scope_previous(actor=owner_a, scope=second) == first
    with pytest.raises(NotFound):
        selectors.scope_previous(actor=owner_a, scope=first)


def test_another_organisations_versions_are_not_found(
    owner_a: User, org_a: Organization, org_b: Organization
) -> None:
    factories.approved_scope(org_b)
    with pytest.raises(NotFound):
        selectors.scope_version_get(actor=owner_a, org=org_a, number=1)
    with pytest.raises(NotFound):
        selectors.scope_version_get(actor=owner_a, org=org_b, number=1)
