"""Signals other apps listen to; they carry the actor so listeners can audit their writes."""

from django.dispatch import Signal

#: Sent inside the transaction that creates an organisation: ``organization``, ``actor``.
organization_created = Signal()

#: Sent inside the transaction of a catalogue load, changed or not: ``actor``. Listeners bring
#: every organisation up to date with the catalogue (new Annex A controls, say).
catalog_loaded = Signal()

#: Sent inside the transaction that removes a member, before the removal: ``organization``,
#: ``user``. Each receiver answers what the user still holds there (``core.selectors.held``:
#: "2 assets (A-0001, A-0004)"); anything held refuses the removal, so that nothing is left
#: with an owner who can no longer see it.
member_leaving = Signal()
