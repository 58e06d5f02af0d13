"""The strings of the jobs table: columns, search, views, selection and bulk actions.

Placeholders are ``{name}``; the script fills them in. Keys ending in ``_one`` are the singular form.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TABLE_TEXT = {
    "selectJob": _l("Select “{title}”"),
    "selectPage": _l("Select every job on this page"),
    "selectedN": _l("{n} selected"),
    "selectedN_one": _l("{n} selected"),
    "bulkCancel": _l("Cancel {n}"),
    "bulkRetry": _l("Retry {n}"),
    "bulkDelete": _l("Delete {n}"),
    "clearSelection": _l("Clear the selection"),
    "confirmBulkDelete": _l("Delete {n} finished jobs and their files?"),
    "confirmBulkDelete_one": _l("Delete {n} finished job and its files?"),
    "bulkDone": _l("{action}: {ok} done."),
    "bulkSomeRefused": _l("{action}: {ok} done, {bad} refused: {reason}"),
    "nothingApplies": _l("None of the selected jobs can be {action}."),
    "actionCancel": _l("Cancel"),
    "actionRetry": _l("Retry"),
    "actionDelete": _l("Delete"),
    "actionCancelled": _l("cancelled"),
    "actionRetried": _l("retried"),
    "actionDeleted": _l("deleted"),
    "reviewHelpShort": _l("Was it published? Tell us"),
    "details": _l("Details"),
    "searchNoMatch": _l("No jobs match “{q}”."),
}
