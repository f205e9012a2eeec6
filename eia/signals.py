"""The app's named extension points: blinker signals (as Flask's own) that other packages connect to
in their ``init_app``, so ``eia`` shows, reminds and reports on things it does not import.

Each signal is sent with keyword arguments and each receiver returns its part; ``values_from``
collects the answers that are not ``None``.
"""

from __future__ import annotations

from typing import Any

from blinker import Namespace, Signal

_signals = Namespace()

#: ``my_work.send(user=..., today=...)``: the :class:`eia.work.WorkGroup` (or a list of them) a
#: package adds to the person's My work page, or None; a fixed number of queries whatever the data.
my_work: Signal = _signals.signal("my-work")

#: ``reminders.send(today=...)``: an iterable of :class:`eia.notifications.services.Reminder` for
#: ``eia remind`` and the notifications page.
reminders: Signal = _signals.signal("reminders")

#: ``report_sections.send(year=..., today=...)``: a dict merged into the annual report's ``extra``.
report_sections: Signal = _signals.signal("report-sections")

#: ``eia_api_extras.send(eia=...)``: a dict merged into an assessment's JSON in the API.
eia_api_extras: Signal = _signals.signal("eia-api-extras")

#: ``eia_panels.send(eia=..., page=..., user=...)``: a part of an assessment's page (*page* is
#: ``"show"`` or ``"across_groups"``) that another package adds, as ``{"template": "...", **context}``,
#: or None.
eia_panels: Signal = _signals.signal("eia-panels")

#: ``start_options.send(user=...)``: more choices for the page that starts an assessment, as
#: ``{"round_id": [(value, label), ...]}``; what was chosen comes back in :data:`eia_started`.
start_options: Signal = _signals.signal("start-options")

#: ``eia_started.send(eia=..., options=..., by=...)``: an assessment was just started, with the
#: options chosen on the start page (in the same transaction; a receiver may raise ValidationFailed).
eia_started: Signal = _signals.signal("eia-started")

#: ``shipped_loaded.send(by=...)``: load what a package ships as data (form templates, rubrics) that the
#: database does not have yet; each receiver returns lines saying what it loaded.
shipped_loaded: Signal = _signals.signal("shipped-loaded")

#: ``demo_loaded.send(today=..., by=...)``: a line to print about what a package added to the demo,
#: or None.
demo_loaded: Signal = _signals.signal("demo-loaded")

#: ``scale_loaded.send(rng=..., eia_ids=...)``: add a package's rows for ``eia demo --scale``.
scale_loaded: Signal = _signals.signal("scale-loaded")


#: ``audit_glossary.send(entries=[...])``: an :class:`eia.auditlog.readable.Glossary` for those audit
#: entries (names, what things are called, how to read fields), in a fixed number of queries.
audit_glossary: Signal = _signals.signal("audit-glossary")


def values_from(results: list[tuple[Any, Any]]) -> list[Any]:
    """The answers of a ``send`` that are not None, in the order the receivers were connected."""
    return [value for _receiver, value in results if value is not None]


def load_shipped(by: Any) -> list[str]:
    """Load every package's shipped data the database lacks (``eia forms load``, the demo, the
    tests); returns what was loaded, a line each."""
    return [line for lines in values_from(shipped_loaded.send(None, by=by)) for line in lines]
