"""The yardstick for ``bench/pages.py``: a bare Flask app rendering a cached Jinja template of a
hand-written 100-row, 5-column table (what a page of the app at its simplest would cost).

    gunicorn -w 2 -k sync --chdir bench baseline_app:app
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask, render_template
from jinja2 import DictLoader

PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
<table class="govuk-table">
  <thead class="govuk-table__head"><tr class="govuk-table__row">
    <th scope="col" class="govuk-table__header">Reference</th>
    <th scope="col" class="govuk-table__header">Title</th>
    <th scope="col" class="govuk-table__header">Service area</th>
    <th scope="col" class="govuk-table__header">State</th>
    <th scope="col" class="govuk-table__header">Updated</th>
  </tr></thead>
  <tbody class="govuk-table__body">
  {% for row in rows %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell"><a href="/eias/{{ row.reference }}">{{ row.reference }}</a></td>
      <td class="govuk-table__cell">{{ row.title }}</td>
      <td class="govuk-table__cell">{{ row.area }}</td>
      <td class="govuk-table__cell">{{ row.state }}</td>
      <td class="govuk-table__cell">{{ row.updated }}</td>
    </tr>
  {% endfor %}
  </tbody>
</table></main></body></html>
"""

ROWS = [
    {
        "reference": f"EIA-2025-{n:04d}",
        "title": f"Assessment number {n} <of the bench>",
        "area": ["Housing", "Leisure", "Libraries", "Revenues"][n % 4],
        "state": ["Draft", "Submitted", "Approved", "Published"][n % 4],
        "updated": (date(2025, 4, 1) + timedelta(days=n)).strftime("%-d %B %Y"),
    }
    for n in range(100)
]

app = Flask(__name__)
app.jinja_loader = DictLoader({"table.html": PAGE})


@app.get("/")
def table() -> str:
    return render_template("table.html", title="Equality impact assessments", rows=ROWS)
