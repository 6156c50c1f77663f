"""The SoA's filters, shared by the page, the API and the exports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from openisms.controls.choices import THEME_LABELS, ImplementationStatus

if TYPE_CHECKING:
    from openisms.controls.selectors import SoaRow

APPLICABLE_CHOICES = (("yes", "Applicable"), ("no", "Not applicable"), ("undecided", "Undecided"))


@dataclass(frozen=True)
class SoaFilters:
    """What the SoA table shows; empty values do not filter."""

    theme: str = ""
    applicable: str = ""
    status: str = ""
    owner: str = ""
    q: str = ""

    def checked(self) -> SoaFilters:
        """The same filters with unknown values dropped (a hand-edited URL never fails)."""
        return SoaFilters(
            theme=self.theme if self.theme in THEME_LABELS else "",
            applicable=self.applicable if self.applicable in dict(APPLICABLE_CHOICES) else "",
            status=self.status if self.status in ImplementationStatus.values else "",
            owner=self.owner.strip().lower(),
            q=self.q.strip().lower(),
        )

    @property
    def active(self) -> bool:
        return any((self.theme, self.applicable, self.status, self.owner, self.q))

    def keep(self, row: SoaRow) -> bool:
        """Whether ``row`` passes every filter."""
        control = row.control
        if self.theme and control.theme != self.theme:
            return False
        if self.applicable and row.applicable_word != self.applicable:
            return False
        if self.status and control.implementation_status != self.status:
            return False
        if self.owner and (control.owner is None or control.owner.email != self.owner):
            return False
        text = f"{control.ref} {control.title}".lower()
        return not self.q or self.q in text
