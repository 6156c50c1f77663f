"""Signals other apps listen to; they carry the actor so listeners can audit their writes."""

from django.dispatch import Signal

#: Sent inside the transaction that creates an organisation: ``organization``, ``actor``.
organization_created = Signal()
