"""Context pages (clause 4): overview, scope and its approval, issues, parties, obligations.

Views validate a form, call a service or selector and render; the rules live in the services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from openisms.context import selectors, services
from openisms.context.forms import (
    CompareForm,
    DecisionForm,
    ExclusionFormSet,
    IssueFilterForm,
    IssueForm,
    ObligationFilterForm,
    ObligationForm,
    PartyFilterForm,
    PartyForm,
    RequirementForm,
    ScopeForm,
    exclusion_rows,
)
from openisms.context.models import InterestedParty, Issue, Obligation, ScopeStatement
from openisms.core import authz
from openisms.core import selectors as core_selectors
from openisms.core.errors import Conflict, DomainError, ValidationError
from openisms.core.web import (
    OrgRequest,
    apply_domain_error,
    org_url,
    org_view,
    paginate,
    query_without,
)

VIEW, CHANGE, APPROVE = "context.view", "context.change", "context.approve"
Save = Callable[[], tuple[str, str]]


# --- shared steps ---------------------------------------------------------------------------


def _members(request: OrgRequest) -> list[tuple[str, str]]:
    """The organisation's members as (e-mail, name) choices for an owner."""
    memberships = core_selectors.membership_list(actor=request.user, org=request.org)
    return [(m.user.email, m.user.display_name) for m in memberships]


def _rights(request: OrgRequest) -> dict[str, bool]:
    return {
        "can_change": authz.can(request.user, CHANGE, request.org),
        "can_approve": authz.can(request.user, APPROVE, request.org),
    }


def _form_page(
    request: OrgRequest,
    template: str,
    form: forms.Form,
    save: Save,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Show ``form``; on a valid POST run ``save`` (it returns the next URL and a message).

    Invalid input answers 422 with the errors beside the fields and what was typed kept;
    a service's error goes beside its field, with its status (409 for a stale edit).
    """
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                url, message = save()
            except DomainError as error:
                apply_domain_error(form, error)
                status = error.status
            else:
                messages.success(request, message)
                return redirect(url)
    return render(request, template, {"form": form, **(context or {})}, status=status)


def _list_page(
    request: OrgRequest, template: str, form: forms.Form, items: Any, **context: Any
) -> HttpResponse:
    """A register: the filter form, one page of rows, links that keep the filters."""
    return render(
        request,
        template,
        {
            "form": form,
            "page": paginate(request, items),
            "query": query_without(request, "page"),
            "sort_query": query_without(request, "page", "sort"),
            "sort": request.GET.get("sort") or "ref",
            **_rights(request),
            **context,
        },
    )


def _confirm_delete(
    request: OrgRequest, *, what: str, removes: list[str], cancel: str, delete: Save
) -> HttpResponse:
    """Ask once, saying what goes; delete on POST."""
    if request.method == "POST":
        url, message = delete()
        messages.success(request, message)
        return redirect(url)
    return render(
        request,
        "context/confirm_delete.html",
        {"what": what, "removes": removes, "cancel": cancel},
    )


# --- overview and scope ---------------------------------------------------------------------


@org_view(VIEW)
def overview(request: OrgRequest) -> HttpResponse:
    """The current scope, the counts of the registers, and where to go next."""
    return render(
        request,
        "context/overview.html",
        {
            "scope": selectors.scope_current(request.org, actor=request.user),
            "open_scope": selectors.scope_open(actor=request.user, org=request.org),
            "counts": selectors.context_counts(actor=request.user, org=request.org),
            **_rights(request),
        },
    )


@org_view(VIEW)
def scope_page(request: OrgRequest) -> HttpResponse:
    """The approved scope, the version being worked on, and every version."""
    versions = selectors.scope_version_list(actor=request.user, org=request.org)
    return render(
        request,
        "context/scope.html",
        {
            "scope": selectors.scope_current(request.org, actor=request.user),
            "open_scope": selectors.scope_open(actor=request.user, org=request.org),
            "page": paginate(request, versions),
            **_rights(request),
        },
    )


def _version(request: OrgRequest, number: int) -> ScopeStatement:
    return selectors.scope_version_get(actor=request.user, org=request.org, number=number)


def _draft(request: OrgRequest, number: int) -> ScopeStatement:
    """A version that can still be edited or discarded; others answer 409."""
    scope = _version(request, number)
    if not scope.is_editable:
        raise Conflict(
            f"Version {number} is {scope.get_status_display().lower()}; only a draft changes."
        )
    return scope


def _version_url(request: OrgRequest, scope: ScopeStatement) -> str:
    return org_url("context:scope_version", request.org, scope_version=scope.number)


def _version_page(
    request: OrgRequest, scope: ScopeStatement, decision: DecisionForm, status: int = 200
) -> HttpResponse:
    current = selectors.scope_current(request.org)
    return render(
        request,
        "context/scope_version.html",
        {
            "version": scope,
            "decision": decision,
            "compare_with": current if current and current.pk != scope.pk else None,
            **_rights(request),
        },
        status=status,
    )


@org_view(VIEW)
def scope_version(request: OrgRequest, scope_version: int) -> HttpResponse:
    """One version of the scope, with the actions its status allows."""
    scope = _version(request, scope_version)
    return _version_page(request, scope, DecisionForm(initial={"version": scope.version}))


def _scope_form_page(
    request: OrgRequest, form: ScopeForm, formset: Any, save: Save, **context: Any
) -> HttpResponse:
    if request.method == "POST" and not formset.is_valid():
        form.is_valid()
        return render(
            request,
            "context/scope_form.html",
            {"form": form, "formset": formset, **context},
            status=422,
        )
    return _form_page(
        request, "context/scope_form.html", form, save, {"formset": formset, **context}
    )


def _scope_fields(form: ScopeForm, formset: Any) -> tuple[dict[str, Any], int | None]:
    data, version = form.split()
    return {**data, "exclusions": exclusion_rows(formset)}, version


def _place_on_row(formset: Any, key: str, messages_: list[str]) -> bool:
    """Put an ``exclusions.<index>.<field>`` error beside that row's field, if it exists."""
    name, _, rest = key.partition(".")
    index, _, field = rest.partition(".")
    if name != "exclusions" or not index.isdigit() or int(index) >= len(formset.forms):
        return False
    formset.forms[int(index)].add_error(field or None, messages_)
    return True


def _exclusion_errors(save: Save, formset: Any) -> Save:
    """Show the service's errors about exclusion rows beside those rows."""

    def wrapped() -> tuple[str, str]:
        try:
            return save()
        except ValidationError as error:
            rest = {
                key: found
                for key, found in error.errors.items()
                if not _place_on_row(formset, key, found)
            }
            raise ValidationError("Check the exclusions below.", errors=rest) from None

    return wrapped


@org_view(CHANGE)
def scope_new(request: OrgRequest) -> HttpResponse:
    """Start the next version as a draft, from the approved scope."""
    open_scope = selectors.scope_open(actor=request.user, org=request.org)
    if open_scope is not None:
        messages.info(request, f"Version {open_scope.number} is already being worked on.")
        return redirect(_version_url(request, open_scope))
    base = selectors.scope_current(request.org)
    initial = services.snapshot(base, services.SCOPE_FIELDS) if base else {}
    form = ScopeForm(request.POST or None, initial=initial)
    formset = ExclusionFormSet(
        request.POST or None, initial=initial.get("exclusions"), prefix="exclusions"
    )

    def save() -> tuple[str, str]:
        data, _ = _scope_fields(form, formset)
        scope = services.scope_draft_create(actor=request.user, org=request.org, **data)
        return _version_url(request, scope), f"Draft version {scope.number} is saved."

    return _scope_form_page(request, form, formset, _exclusion_errors(save, formset), base=base)


@org_view(CHANGE)
def scope_edit(request: OrgRequest, scope_version: int) -> HttpResponse:
    """Edit the draft."""
    scope = _draft(request, scope_version)
    initial = {**services.snapshot(scope, services.SCOPE_FIELDS), "version": scope.version}
    form = ScopeForm(request.POST or None, initial=initial)
    formset = ExclusionFormSet(request.POST or None, initial=scope.exclusions, prefix="exclusions")

    def save() -> tuple[str, str]:
        data, version = _scope_fields(form, formset)
        services.scope_update(actor=request.user, scope=scope, version=version, **data)
        return _version_url(request, scope), f"Draft version {scope.number} is saved."

    return _scope_form_page(request, form, formset, _exclusion_errors(save, formset), version=scope)


def _decide(
    request: OrgRequest, scope_version: int, act: Callable[..., Any], done: str
) -> HttpResponse:
    scope = _version(request, scope_version)
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(errors={k: [str(m) for m in v] for k, v in form.errors.items()})
        act(actor=request.user, scope=scope, **form.cleaned_data)
    except DomainError as error:
        apply_domain_error(form, error)
        return _version_page(request, scope, form, status=error.status)
    messages.success(request, done.format(number=scope.number))
    return redirect(_version_url(request, scope))


@require_POST
@org_view(CHANGE)
def scope_submit(request: OrgRequest, scope_version: int) -> HttpResponse:
    """Send the draft for approval."""

    def submit(*, actor: Any, scope: ScopeStatement, comment: str, version: int | None) -> None:
        services.scope_submit(actor=actor, scope=scope, version=version)

    done = "Version {number} is submitted for approval."
    return _decide(request, scope_version, submit, done)


@require_POST
@org_view(APPROVE)
def scope_approve(request: OrgRequest, scope_version: int) -> HttpResponse:
    """Approve the version in review; it becomes the current scope."""
    done = "Version {number} is approved and is now the current scope."
    return _decide(request, scope_version, services.scope_approve, done)


@require_POST
@org_view(APPROVE)
def scope_reject(request: OrgRequest, scope_version: int) -> HttpResponse:
    """Return the version in review to draft, with a comment."""
    done = "Version {number} is returned to draft."
    return _decide(request, scope_version, services.scope_reject, done)


@org_view(CHANGE)
def scope_delete(request: OrgRequest, scope_version: int) -> HttpResponse:
    """Discard the draft, after one confirmation."""
    scope = _draft(request, scope_version)

    def delete() -> tuple[str, str]:
        services.scope_delete(actor=request.user, scope=scope)
        return org_url("context:scope", request.org), f"Draft version {scope.number} is discarded."

    return _confirm_delete(
        request,
        what=f"draft version {scope.number} of the scope",
        removes=["the draft and its edits; approved and superseded versions stay"],
        cancel=_version_url(request, scope),
        delete=delete,
    )


def _compare_pair(form: CompareForm, numbers: list[int]) -> tuple[int, int] | None:
    """The two versions asked for, or by default the latest two."""
    if form.is_bound:
        if not form.is_valid():
            return None
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        return min(a, b), max(a, b)
    return (numbers[1], numbers[0]) if len(numbers) > 1 else None


@org_view(VIEW)
def scope_compare(request: OrgRequest) -> HttpResponse:
    """Two versions of the scope, field by field, line by line."""
    versions = selectors.scope_version_list(actor=request.user, org=request.org)
    numbers = list(versions.values_list("number", flat=True)[:200])
    form = CompareForm(request.GET or None, numbers=numbers)
    pair = _compare_pair(form, numbers)
    older = newer = None
    if pair is not None:
        older, newer = _version(request, pair[0]), _version(request, pair[1])
        form = CompareForm(initial={"a": older.number, "b": newer.number}, numbers=numbers)
    return render(
        request,
        "context/scope_compare.html",
        {
            "form": form,
            "older": older,
            "newer": newer,
            "diff": selectors.scope_diff(older, newer) if older and newer else [],
        },
    )


# --- issues ---------------------------------------------------------------------------------


def _issue(request: OrgRequest, ref: str) -> Issue:
    return selectors.issue_get(actor=request.user, org=request.org, ref=ref)


def _issue_url(request: OrgRequest, issue: Issue) -> str:
    return org_url("context:issue", request.org, issue_ref=issue.ref)


@org_view(VIEW)
def issue_list(request: OrgRequest) -> HttpResponse:
    """The issues register, filtered and sorted as the URL says."""
    form = IssueFilterForm(request.GET or None, members=_members(request))
    issues = selectors.issue_list(actor=request.user, org=request.org, filters=form.to_filters())
    return _list_page(request, "context/issue_list.html", form, issues)


@org_view(VIEW)
def issue_detail(request: OrgRequest, issue_ref: str) -> HttpResponse:
    """One issue."""
    issue = _issue(request, issue_ref)
    return render(request, "context/issue_detail.html", {"issue": issue, **_rights(request)})


@org_view(CHANGE)
def issue_create(request: OrgRequest) -> HttpResponse:
    """Record an issue."""
    form = IssueForm(request.POST or None, members=_members(request))

    def save() -> tuple[str, str]:
        data, _ = form.split()
        issue = services.issue_create(actor=request.user, org=request.org, **data)
        return _issue_url(request, issue), f"{issue.ref} is recorded."

    return _form_page(request, "context/issue_form.html", form, save)


@org_view(CHANGE)
def issue_edit(request: OrgRequest, issue_ref: str) -> HttpResponse:
    """Edit an issue."""
    issue = _issue(request, issue_ref)
    initial = {**services.snapshot(issue, services.ISSUE_FIELDS), "version": issue.version}
    form = IssueForm(request.POST or None, initial=initial, members=_members(request))

    def save() -> tuple[str, str]:
        data, version = form.split()
        services.issue_update(actor=request.user, issue=issue, version=version, **data)
        return _issue_url(request, issue), f"{issue.ref} is saved."

    return _form_page(request, "context/issue_form.html", form, save, {"issue": issue})


@org_view(CHANGE)
def issue_delete(request: OrgRequest, issue_ref: str) -> HttpResponse:
    """Delete an issue, after one confirmation."""
    issue = _issue(request, issue_ref)

    def delete() -> tuple[str, str]:
        services.issue_delete(actor=request.user, issue=issue)
        return org_url("context:issues", request.org), f"{issue.ref} is deleted."

    return _confirm_delete(
        request,
        what=f"issue {issue}",
        removes=["the issue and its description (the audit trail keeps a copy)"],
        cancel=_issue_url(request, issue),
        delete=delete,
    )


# --- interested parties and their requirements ---------------------------------------------


def _party(request: OrgRequest, ref: str) -> InterestedParty:
    return selectors.party_get(actor=request.user, org=request.org, ref=ref)


def _party_url(request: OrgRequest, party: InterestedParty) -> str:
    return org_url("context:party", request.org, party_ref=party.ref)


def _obligations(request: OrgRequest) -> list[tuple[str, str]]:
    return selectors.obligation_choices(actor=request.user, org=request.org)


@org_view(VIEW)
def party_list(request: OrgRequest) -> HttpResponse:
    """The interested parties with their requirement counts."""
    form = PartyFilterForm(request.GET or None)
    parties = selectors.party_list(actor=request.user, org=request.org, filters=form.to_filters())
    return _list_page(request, "context/party_list.html", form, parties)


@org_view(VIEW)
def party_detail(request: OrgRequest, party_ref: str) -> HttpResponse:
    """One interested party, its requirements, and a form to add one."""
    party = _party(request, party_ref)
    rights = _rights(request)
    form = RequirementForm(obligations=_obligations(request)) if rights["can_change"] else None
    return render(request, "context/party_detail.html", {"party": party, "form": form, **rights})


@org_view(CHANGE)
def party_create(request: OrgRequest) -> HttpResponse:
    """Record an interested party."""
    form = PartyForm(request.POST or None)

    def save() -> tuple[str, str]:
        data, _ = form.split()
        party = services.party_create(actor=request.user, org=request.org, **data)
        return _party_url(request, party), f"{party.ref} is recorded; add its requirements."

    return _form_page(request, "context/party_form.html", form, save)


@org_view(CHANGE)
def party_edit(request: OrgRequest, party_ref: str) -> HttpResponse:
    """Edit an interested party."""
    party = _party(request, party_ref)
    initial = {**services.snapshot(party, services.PARTY_FIELDS), "version": party.version}
    form = PartyForm(request.POST or None, initial=initial)

    def save() -> tuple[str, str]:
        data, version = form.split()
        services.party_update(actor=request.user, party=party, version=version, **data)
        return _party_url(request, party), f"{party.ref} is saved."

    return _form_page(request, "context/party_form.html", form, save, {"party": party})


@org_view(CHANGE)
def party_delete(request: OrgRequest, party_ref: str) -> HttpResponse:
    """Delete an interested party and its requirements, after one confirmation."""
    party = _party(request, party_ref)
    count = len(party.requirements.all())

    def delete() -> tuple[str, str]:
        services.party_delete(actor=request.user, party=party)
        return org_url("context:parties", request.org), f"{party.ref} is deleted."

    return _confirm_delete(
        request,
        what=f"interested party {party}",
        removes=[f"the party and its {count} requirement{'s' if count != 1 else ''}"],
        cancel=_party_url(request, party),
        delete=delete,
    )


@org_view(CHANGE)
def requirement_create(request: OrgRequest, party_ref: str) -> HttpResponse:
    """Add a requirement to an interested party."""
    party = _party(request, party_ref)
    form = RequirementForm(request.POST or None, obligations=_obligations(request))

    def save() -> tuple[str, str]:
        data, _ = form.split()
        services.party_requirement_create(actor=request.user, party=party, **data)
        return _party_url(request, party), f"The requirement is added to {party.ref}."

    return _form_page(request, "context/requirement_form.html", form, save, {"party": party})


@org_view(CHANGE)
def requirement_edit(
    request: OrgRequest, party_ref: str, party_requirement_id: int
) -> HttpResponse:
    """Edit one requirement of an interested party."""
    party = _party(request, party_ref)
    requirement = selectors.party_requirement_get(
        actor=request.user, party=party, requirement_id=party_requirement_id
    )
    fields = services.snapshot(requirement, services.REQUIREMENT_FIELDS)
    form = RequirementForm(
        request.POST or None,
        initial={**fields, "version": requirement.version},
        obligations=_obligations(request),
    )

    def save() -> tuple[str, str]:
        data, version = form.split()
        services.party_requirement_update(
            actor=request.user, requirement=requirement, version=version, **data
        )
        return _party_url(request, party), "The requirement is saved."

    context = {"party": party, "requirement": requirement}
    return _form_page(request, "context/requirement_form.html", form, save, context)


@org_view(CHANGE)
def requirement_delete(
    request: OrgRequest, party_ref: str, party_requirement_id: int
) -> HttpResponse:
    """Delete one requirement, after one confirmation."""
    party = _party(request, party_ref)
    requirement = selectors.party_requirement_get(
        actor=request.user, party=party, requirement_id=party_requirement_id
    )

    def delete() -> tuple[str, str]:
        services.party_requirement_delete(actor=request.user, requirement=requirement)
        return _party_url(request, party), f"The requirement is removed from {party.ref}."

    return _confirm_delete(
        request,
        what=f"a requirement of {party}",
        removes=[f"“{requirement.text[:120]}”"],
        cancel=_party_url(request, party),
        delete=delete,
    )


# --- obligations ----------------------------------------------------------------------------


def _obligation(request: OrgRequest, ref: str) -> Obligation:
    return selectors.obligation_get(actor=request.user, org=request.org, ref=ref)


def _obligation_url(request: OrgRequest, obligation: Obligation) -> str:
    return org_url("context:obligation", request.org, obligation_ref=obligation.ref)


@org_view(VIEW)
def obligation_list(request: OrgRequest) -> HttpResponse:
    """The register of legal, regulatory and contractual obligations."""
    form = ObligationFilterForm(request.GET or None, members=_members(request))
    obligations = selectors.obligation_list(
        actor=request.user, org=request.org, filters=form.to_filters()
    )
    return _list_page(request, "context/obligation_list.html", form, obligations)


@org_view(VIEW)
def obligation_detail(request: OrgRequest, obligation_ref: str) -> HttpResponse:
    """One obligation and the parties' requirements it came from."""
    obligation = _obligation(request, obligation_ref)
    return render(
        request,
        "context/obligation_detail.html",
        {
            "obligation": obligation,
            "requirements": selectors.obligation_requirements(obligation),
            **_rights(request),
        },
    )


@org_view(CHANGE)
def obligation_create(request: OrgRequest) -> HttpResponse:
    """Record an obligation."""
    form = ObligationForm(request.POST or None, members=_members(request))

    def save() -> tuple[str, str]:
        data, _ = form.split()
        obligation = services.obligation_create(actor=request.user, org=request.org, **data)
        return _obligation_url(request, obligation), f"{obligation.ref} is recorded."

    return _form_page(request, "context/obligation_form.html", form, save)


@org_view(CHANGE)
def obligation_edit(request: OrgRequest, obligation_ref: str) -> HttpResponse:
    """Edit an obligation."""
    obligation = _obligation(request, obligation_ref)
    fields = services.snapshot(obligation, services.OBLIGATION_FIELDS)
    form = ObligationForm(
        request.POST or None,
        initial={**fields, "version": obligation.version},
        members=_members(request),
    )

    def save() -> tuple[str, str]:
        data, version = form.split()
        services.obligation_update(
            actor=request.user, obligation=obligation, version=version, **data
        )
        return _obligation_url(request, obligation), f"{obligation.ref} is saved."

    context = {"obligation": obligation}
    return _form_page(request, "context/obligation_form.html", form, save, context)


@org_view(CHANGE)
def obligation_delete(request: OrgRequest, obligation_ref: str) -> HttpResponse:
    """Delete an obligation, after one confirmation."""
    obligation = _obligation(request, obligation_ref)
    linked = selectors.obligation_requirements(obligation).count()

    def delete() -> tuple[str, str]:
        services.obligation_delete(actor=request.user, obligation=obligation)
        return org_url("context:obligations", request.org), f"{obligation.ref} is deleted."

    removes = ["the obligation (the audit trail keeps a copy)"]
    if linked:
        removes.append(f"the link from {linked} interested-party requirement(s); they stay")
    return _confirm_delete(
        request,
        what=f"obligation {obligation}",
        removes=removes,
        cancel=_obligation_url(request, obligation),
        delete=delete,
    )
