"""Checking every row of an import against the rules and the inventory, writing nothing.

The result is a ``Plan``: for each row the asset to create or update (or leave, when nothing
changes) and every error with its row number and field. The database is read in a fixed
number of queries (a few more per 900 matched assets), whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db import connection

from openisms.assets import graph, rules
from openisms.assets.imports.columns import IMPORTABLE
from openisms.assets.imports.reading import Table
from openisms.assets.models import Asset, AssetDependency, AssetTag, Tag
from openisms.assets.rules import AssetInput, Cleaned, Lookups
from openisms.core.models import Organization, User

Progress = Callable[[str, int, int], None]
Node = int | str  # an existing asset's id, or "row:<n>" for a row that creates one
Action = Literal["create", "update", "unchanged"]


def chunk_size() -> int:
    """Ids per ``IN (...)`` list: below SQLite's limit on query parameters, larger elsewhere."""
    return min(connection.features.max_query_params or 10_000, 10_000) - 10


_INPUT_FIELDS = frozenset(AssetInput.field_names())


@dataclass(frozen=True)
class RowError:
    """One problem: the sheet's row number, the field (column) and what to do."""

    row: int
    field: str
    message: str

    @property
    def key(self) -> str:
        """How the API and the CLI name it: ``row 7: owner``."""
        return f"row {self.row}: {self.field}"


@dataclass
class RowPlan:
    """What one row does: create ``asset`` or update it, with its tags and dependencies."""

    number: int
    asset: Asset
    node: Node
    action: Action = "create"
    explicit_ref: str = ""
    tags: list[str] | None = None
    depends: list[Node] | None = None
    before: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, list[Any]] = field(default_factory=dict)


@dataclass
class Plan:
    """The checked file: rows that pass, and every error found."""

    rows: list[RowPlan]
    errors: list[RowError]
    labels: dict[Node, str]

    def count(self, action: Action) -> int:
        return sum(1 for row in self.rows if row.action == action)


def _chunks(items: Sequence[int]) -> Iterator[Sequence[int]]:
    size = chunk_size()
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class Inventory:
    """The organisation's assets as an import needs them, read in a few queries."""

    by_ref: dict[str, int]
    by_external: dict[str, int]
    ref_of: dict[int, str]
    edges: dict[Node, set[Node]]
    loaded: dict[int, Asset] = field(default_factory=dict)
    tags: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, org: Organization) -> Inventory:
        index = Asset.objects.filter(organization=org).values_list("id", "ref", "external_id")
        edges: dict[Node, set[Node]] = defaultdict(set)
        links = AssetDependency.objects.filter(organization=org)
        for source, target in links.values_list("asset_id", "depends_on_id"):
            edges[source].add(target)
        inventory = cls({}, {}, {}, edges)
        for pk, ref, external_id in index:
            inventory.by_ref[ref], inventory.ref_of[pk] = pk, ref
            if external_id:
                inventory.by_external[external_id] = pk
        return inventory

    def fetch(self, ids: Iterable[int], lookups: Lookups, *, lock: bool) -> None:
        """Load the assets the file updates, with their people, labels and tags.

        People and labels come from ``lookups`` rather than a join, which would build three
        objects per row.
        """
        wanted = sorted(set(ids))
        assets = Asset.objects.defer("created_at")
        if lock:
            assets = assets.select_for_update()
        for chunk in _chunks(wanted):
            self.loaded.update((a.pk, a) for a in assets.filter(pk__in=chunk))
            links = AssetTag.objects.filter(asset_id__in=chunk).values_list("asset_id", "tag__name")
            for asset_id, name in links:
                self.tags[asset_id].append(name)
        _attach(list(self.loaded.values()), lookups)


def _attach(assets: list[Asset], lookups: Lookups) -> None:
    """Set each asset's owner, custodian and classification from the lookups (or one query)."""
    users = {user.pk: user for user in lookups.members.values()}
    former = {a.owner_id for a in assets} | {a.custodian_id for a in assets if a.custodian_id}
    missing = former - set(users)
    users.update((u.pk, u) for u in User.objects.filter(pk__in=sorted(missing)))
    labels = {label.pk: label for label in lookups.classifications.values()}
    for asset in assets:
        asset.owner = users[asset.owner_id]
        asset.custodian = users[asset.custodian_id] if asset.custodian_id else None
        asset.classification = labels[asset.classification_id]


class Checker:
    """Checks the rows of one file; ``run`` returns the plan."""

    def __init__(self, org: Organization, table: Table, mapping: Sequence[str]) -> None:
        self.org, self.table = org, table
        self.mapping = [(i, f) for i, f in enumerate(mapping) if f in IMPORTABLE]
        self.errors: list[RowError] = []
        self.rows: list[RowPlan] = []
        self.lookups = Lookups.load(org)
        self.inventory = Inventory.load(org)
        self.seen_refs: dict[str, int] = {}
        self.seen_external: dict[str, int] = {}
        self.seen_assets: dict[int, int] = {}
        self.file_refs: dict[str, Node] = {}
        self.file_external: dict[str, Node] = {}
        self.pending_depends: list[tuple[RowPlan, list[str]]] = []
        names = Tag.objects.filter(organization=org).values_list("name", flat=True)
        self.tag_names = {name.lower(): name for name in names}

    def error(self, row: int, name: str, message: str) -> None:
        self.errors.append(RowError(row, name, message))

    def run(self, *, lock: bool = False, progress: Progress | None = None) -> Plan:
        """Check every row; nothing is written."""
        cells = [(n, self._given(row)) for n, row in self.table.rows]
        self.inventory.fetch(self._matched_ids(cells), self.lookups, lock=lock)
        total = len(cells)
        for done, (number, given) in enumerate(cells, start=1):
            self._check_row(number, given)
            if progress and (done % 500 == 0 or done == total):
                progress("checking", done, total)
        self._resolve_dependencies()
        self._check_cycles()
        self.errors.sort(key=_error_order)
        plan = Plan(self.rows, self.errors, self._labels())
        _mark_unchanged(plan)
        return plan

    def _given(self, cells: list[str]) -> dict[str, str]:
        return {name: cells[i].strip() for i, name in self.mapping}

    def _matched_ids(self, cells: list[tuple[int, dict[str, str]]]) -> list[int]:
        ids = []
        for _, given in cells:
            ref = rules.normalise_ref(given.get("ref", ""))
            pk = self.inventory.by_ref.get(ref or "") or self.inventory.by_external.get(
                given.get("external_id", "")
            )
            if pk:
                ids.append(pk)
        return ids

    def _check_row(self, number: int, given: dict[str, str]) -> None:
        matched = self._match(number, given)
        if matched is None:
            return
        pk, ref = matched
        data = AssetInput(**{k: v for k, v in given.items() if k in _INPUT_FIELDS})
        cleaned = rules.clean(data, self.lookups, creating=pk is None)
        for name, messages in cleaned.errors.items():
            self.error(number, name, messages[0])
        if cleaned.errors:
            return
        self.rows.append(self._plan(number, pk, ref, cleaned))

    def _plan(self, number: int, pk: int | None, ref: str, cleaned: Cleaned) -> RowPlan:
        if pk is None:
            plan = RowPlan(number, Asset(organization=self.org), f"row:{number}", explicit_ref=ref)
        else:
            asset = self.inventory.loaded[pk]
            plan = RowPlan(number, asset, pk, action="update")
            edges = self.inventory.edges.get(pk, set())
            before_deps = [self.inventory.ref_of[t] for t in edges if isinstance(t, int)]
            plan.before = rules.snapshot(asset, self.inventory.tags.get(pk, []), before_deps)
        if cleaned.tags is not None:
            plan.tags = [self.tag_names.get(tag.lower(), tag) for tag in cleaned.tags]
        rules.apply(plan.asset, cleaned.values)
        if cleaned.depends_on is not None:
            self.pending_depends.append((plan, cleaned.depends_on))
        return plan

    def _match(self, number: int, given: dict[str, str]) -> tuple[int | None, str] | None:
        """The existing asset the row updates (by ref, else by external id), and its ref."""
        raw_ref, external = given.get("ref", ""), given.get("external_id", "")
        ref = rules.normalise_ref(raw_ref) if raw_ref else ""
        if ref is None:
            self.error(number, "ref", f"{raw_ref!r} is not a reference like A-0001.")
            return None
        if ref and ref in self.seen_refs:
            self.error(number, "ref", f"{ref} is on row {self.seen_refs[ref]} already.")
            return None
        inventory = self.inventory
        pk = inventory.by_ref.get(ref) if ref else inventory.by_external.get(external)
        self._note(number, ref, external, pk)
        if pk and pk in self.seen_assets:
            where = "ref" if ref else "external_id"
            other = self.seen_assets[pk]
            self.error(number, where, f"{inventory.ref_of[pk]} is on row {other} already.")
            return None
        if pk:
            self.seen_assets[pk] = number
        return pk, ref

    def _note(self, number: int, ref: str, external: str, pk: int | None) -> None:
        """Remember the row's ref and external id, for duplicates and dependencies."""
        node: Node = pk or f"row:{number}"
        if ref:
            self.seen_refs[ref] = number
            self.file_refs[ref] = node
        if not external:
            return
        holder = self.inventory.by_external.get(external)
        if external in self.seen_external:
            first = self.seen_external[external]
            self.error(number, "external_id", f"{external!r} is on row {first} already.")
        elif holder and holder != pk:
            taken = f"{external!r} is already the external id of {self.inventory.ref_of[holder]}."
            self.error(number, "external_id", taken)
        self.seen_external.setdefault(external, number)
        self.file_external.setdefault(external, node)

    def _node_for(self, name: str) -> Node | None:
        for table in (self.file_refs, self.inventory.by_ref, self.file_external):
            if name in table:
                return table[name]
        return self.inventory.by_external.get(name)

    def _resolve_dependencies(self) -> None:
        for plan, names in self.pending_depends:
            nodes = {name: self._node_for(name) for name in names}
            missing = [name for name, node in nodes.items() if node is None]
            if missing:
                where = "in the file or in the inventory"
                self.error(plan.number, "depends_on", f"No asset {', '.join(missing)} {where}.")
            else:
                plan.depends = [node for node in nodes.values() if node is not None]

    def _check_cycles(self) -> None:
        changed = {plan.node: plan for plan in self.rows if plan.depends is not None}
        edges = self.inventory.edges
        for node, plan in changed.items():
            edges[node] = set(plan.depends or ())
        labels = self._labels()
        for cycle in graph.find_cycles(edges, list(changed)):
            rows = [changed[node].number for node in cycle if node in changed]
            shown = graph.describe(cycle, lambda node: labels.get(node, str(node)))
            message = f"This makes a dependency cycle: {shown}. Remove one of these dependencies."
            self.error(min(rows, default=0), "depends_on", message)

    def _labels(self) -> dict[Node, str]:
        labels: dict[Node, str] = {pk: ref for pk, ref in self.inventory.ref_of.items()}
        for plan in self.rows:
            if plan.action == "create":
                labels[plan.node] = plan.explicit_ref or f"the new asset on row {plan.number}"
        return labels


def _error_order(error: RowError) -> tuple[int, int]:
    position = IMPORTABLE.index(error.field) if error.field in IMPORTABLE else len(IMPORTABLE)
    return error.row, position


def _mark_unchanged(plan: Plan) -> None:
    """Updates that change nothing are left alone."""
    for row in plan.rows:
        if row.action == "update":
            row.changes = changes_of(row, plan.labels)
            row.action = "update" if row.changes else "unchanged"


def after_snapshot(row: RowPlan, labels: dict[Node, str]) -> dict[str, Any]:
    """The updated asset as the audit trail records it (dependencies named by ``labels``)."""
    tags = row.tags if row.tags is not None else row.before.get("tags", [])
    if row.depends is None:
        depends = row.before.get("depends_on", [])
    else:
        depends = [labels[node] for node in row.depends]
    return rules.snapshot(row.asset, tags, depends)


def changes_of(row: RowPlan, labels: dict[Node, str]) -> dict[str, list[Any]]:
    """What an update changes, ``{field: [before, after]}``."""
    after = after_snapshot(row, labels)
    return {k: [row.before.get(k), v] for k, v in after.items() if row.before.get(k) != v}


def check_rows(
    org: Organization,
    table: Table,
    mapping: Sequence[str],
    *,
    lock: bool = False,
    progress: Progress | None = None,
) -> Plan:
    """Check every row of ``table`` read with ``mapping``; writes nothing."""
    return Checker(org, table, mapping).run(lock=lock, progress=progress)
