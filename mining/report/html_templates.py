"""The one Jinja environment of every HTML page (report, mining report, designed journey, pilot), with the
filters they share. Light on purpose: the pilot and compare commands load it without the map or model code."""

from __future__ import annotations

import jinja2

from mining.report.formatting import percent, short_duration

TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("mining.report", "templates"),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,
)
TEMPLATES.filters.update(days=short_duration, percent=percent)
