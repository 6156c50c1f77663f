"""Give organisations that existed before the inventory its default settings.

New organisations get them from ``assets.services.asset_settings_init``; the values are copied
here because a migration imports no app code.
"""

from django.db import migrations

CLASSIFICATIONS = (
    ("Public", "May be published; disclosure causes no harm.", False),
    ("Internal", "For staff and contractors; limited harm if disclosed.", True),
    ("Confidential", "For named groups with a need to know; disclosure causes harm.", False),
    ("Restricted", "For named people only; disclosure causes serious harm.", False),
)
CIA_LEVELS = {
    "c": (
        ("Public", "Disclosure causes no harm."),
        ("Internal", "Disclosure causes minor harm, contained inside the organisation."),
        ("Confidential", "Disclosure harms customers, staff or the business noticeably."),
        ("Secret", "Disclosure causes severe or lasting harm, or breaches the law."),
    ),
    "i": (
        ("Low", "Errors are harmless or noticed and corrected at once."),
        ("Moderate", "Errors cause rework or minor wrong decisions."),
        ("High", "Errors cause wrong payments, reports or decisions that reach customers."),
        ("Very high", "Errors cause severe financial, legal or safety consequences."),
    ),
    "a": (
        ("Low", "An outage of a week or more is tolerable."),
        ("Moderate", "An outage of a working day is tolerable."),
        ("High", "An outage of more than an hour or two harms customers."),
        ("Very high", "Any outage harms customers at once."),
    ),
}


def add_defaults(apps, schema_editor):
    Organization = apps.get_model("core", "Organization")
    Classification = apps.get_model("assets", "Classification")
    CiaLevel = apps.get_model("assets", "CiaLevel")
    for org in Organization.objects.all():
        if not Classification.objects.filter(organization=org).exists():
            Classification.objects.bulk_create(
                Classification(
                    organization=org, name=name, description=text, position=n, is_default=default
                )
                for n, (name, text, default) in enumerate(CLASSIFICATIONS, start=1)
            )
        if not CiaLevel.objects.filter(organization=org).exists():
            CiaLevel.objects.bulk_create(
                CiaLevel(organization=org, dimension=dim, level=n, label=label, description=text)
                for dim, levels in CIA_LEVELS.items()
                for n, (label, text) in enumerate(levels, start=1)
            )


class Migration(migrations.Migration):
    dependencies = [("assets", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
