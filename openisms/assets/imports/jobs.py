"""The import's steps on the pages: upload, preview (with the mapping), commit.

The uploaded file waits in an ``ImportJob`` row between the steps, so any app server can
answer the next step; a job belongs to the person who uploaded it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from openisms.assets.choices import ImportStatus
from openisms.assets.imports import ImportResult, Preview, columns, import_table, preview
from openisms.assets.imports.reading import read_table
from openisms.assets.models import ImportJob
from openisms.core import authz
from openisms.core.errors import Conflict, ValidationError
from openisms.core.models import Organization, User

JOB_TTL = dt.timedelta(days=1)


def clean_filename(filename: str) -> str:
    """The file's own name, without any folder a browser may send."""
    return posixpath.basename(filename.replace("\\", "/")).strip()[:200] or "upload"


@transaction.atomic
def import_job_create(
    *, actor: User, org: Organization, filename: str, content: bytes
) -> ImportJob:
    """Keep an uploaded file for the next steps, with the column mapping detected.

    The file is read once here, so a wrong type, size or shape is refused at upload. Jobs
    older than a day are removed.
    """
    authz.require(actor, "assets.change", org)
    name = clean_filename(filename)
    table = read_table(name, content)
    ImportJob.objects.filter(organization=org, created_at__lt=timezone.now() - JOB_TTL).delete()
    return ImportJob.objects.create(
        organization=org,
        user=actor,
        filename=name,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        mapping=columns.detect(table.headers),
    )


def _open(job: ImportJob) -> None:
    if job.status != ImportStatus.UPLOADED:
        raise Conflict("This file was imported already; upload it again to import it again.")


def import_job_preview(*, actor: User, job: ImportJob) -> Preview:
    """Check every row of the job's file with its mapping; writes nothing."""
    authz.require(actor, "assets.change", job.organization)
    table = read_table(job.filename, bytes(job.content))
    return preview(job.organization, table, job.mapping)


@transaction.atomic
def import_job_set_mapping(*, actor: User, job: ImportJob, mapping: Sequence[str]) -> ImportJob:
    """Choose the field each column fills ("" to skip the column)."""
    authz.require(actor, "assets.change", job.organization)
    _open(job)
    chosen = [field if field in columns.IMPORTABLE else "" for field in mapping]
    if len(chosen) != len(job.mapping):
        raise ValidationError.field("mapping", "Choose a field for each column of the file.")
    job.mapping = chosen
    job.save(update_fields=["mapping"])
    return job


@transaction.atomic
def import_job_commit(*, actor: User, job: ImportJob) -> ImportResult:
    """Import the job's file whole, or refuse it whole; a job is imported once."""
    authz.require(actor, "assets.change", job.organization)
    job.status = (
        ImportJob.objects.select_for_update().values_list("status", flat=True).get(pk=job.pk)
    )
    _open(job)
    result = import_table(
        actor=actor,
        org=job.organization,
        table=read_table(job.filename, bytes(job.content)),
        source=(job.filename, job.sha256),
        mapping=job.mapping,
    )
    job.status, job.result = ImportStatus.COMMITTED, result.summary()
    job.save(update_fields=["status", "result"])
    return result
