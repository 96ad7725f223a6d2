"""The editors' admin: `records` registers every model's admin, `history` shows and reverts each
record's versions, `imports` reads and writes spreadsheets."""

from django.contrib import admin

from . import contributions, events, lines, records  # noqa: F401  (importing them registers the model admins)

admin.site.site_header = "Coalition Contributions Tracker"
admin.site.site_title = "Coalition Contributions Tracker"
admin.site.index_title = "Editors’ desk"
