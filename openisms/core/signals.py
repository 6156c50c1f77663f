"""Signals other apps listen to; they carry the actor so listeners can audit their writes."""

from django.dispatch import Signal

#: Sent inside the transaction that creates an organisation: ``organization``, ``actor``.
organization_created = Signal()

#: Sent inside the transaction of a catalogue load, changed or not: ``actor``. Listeners bring
#: every organisation up to date with the catalogue (new Annex A controls, say).
catalog_loaded = Signal()
