"""The `satudata_chart` resource view: a line or bar chart of a DataStore table as inline SVG drawn on the server
(no JavaScript build). Its rows come from `datastore_search`, so the workflow's visibility rules apply."""
from __future__ import annotations

import logging
import math
from typing import Any, Callable, Optional

from markupsafe import Markup, escape

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.satudata_blitar import request_cache

log = logging.getLogger(__name__)

MAX_ROWS = 5000
KINDS = ("line", "bar")
NUMERIC_TYPES = ("int", "int4", "int8", "integer", "numeric", "float", "float4", "float8", "bigint")
WIDTH, HEIGHT = 720, 360
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 70, 20, 20, 60
COLOURS = ("#1f4e78", "#c55a11", "#548235", "#7030a0", "#bf9000", "#2e75b6", "#c00000", "#70ad47")


def _fields(resource_id: str, context: Optional[dict[str, Any]] = None) -> list[dict[str, Any]]:
    """The table's columns (without `_id`): read with `context` when given one (after a load), else as the page
    reads them (table_fields)."""
    if not context:
        return table_fields(resource_id)
    result = tk.get_action("datastore_search")(dict(context), {"resource_id": resource_id, "limit": 0,
                                                               "include_total": False})
    return [f for f in result["fields"] if f["id"] != "_id"]


def table_fields(resource_id: str) -> list[dict[str, Any]]:
    """The DataStore table's columns as the current user may read them (none when the table is missing or hidden
    from them): the ones the page's data dictionary shows (h.datastore_dictionary, below), read once per request,
    whether the downloads' long-form offer, the chart or the data dictionary asks first."""
    return tk.h.datastore_dictionary(resource_id)


@tk.chained_helper
def datastore_dictionary(next_helper: Callable[..., list[dict[str, Any]]], resource_id: str,
                         include_columns: Optional[list[str]] = None) -> list[dict[str, Any]]:
    """h.datastore_dictionary (the DataStore's datastore_info: the resource page's data dictionary, datatables'
    columns), read once per request for a resource (request_cache: nothing is kept beyond the request) and shared
    with table_fields; a page asked it as well as a DataStore search for the same columns."""
    fields = request_cache.once(("table_fields", resource_id), lambda: next_helper(resource_id))
    return [f for f in fields if include_columns is None or f["id"] in include_columns]


def defaults(config: dict[str, Any], fields: list[dict[str, Any]]) -> dict[str, str]:
    """The view's settings, with x defaulting to a column named tahun and y to the first other numeric column."""
    ids = [f["id"] for f in fields]
    wanted = {key: str(config.get(key) or "") for key in ("x", "y", "split", "kind")}
    x = wanted["x"] if wanted["x"] in ids else next((i for i in ids if i.lower() == "tahun"), ids[0] if ids else "")
    numeric = [f["id"] for f in fields if f["type"] in NUMERIC_TYPES and f["id"] != x]
    y = wanted["y"] if wanted["y"] in ids else (numeric[0] if numeric else "")
    split = wanted["split"] if wanted["split"] in ids and wanted["split"] not in (x, y) else ""
    kind = wanted["kind"] if wanted["kind"] in KINDS else "line"
    return {"x": x, "y": y, "split": split, "kind": kind}


def _number(value: Any) -> Optional[float]:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def series(records: list[dict[str, Any]], x: str, y: str, split: str) -> tuple[list[Any], dict[str, dict[Any, float]]]:
    """The x categories in order, and per split value (or one series named after y) its {x: y} points."""
    out: dict[str, dict[Any, float]] = {}
    xs: set[Any] = set()
    for record in records:
        value = _number(record.get(y))
        if value is None or record.get(x) is None:
            continue
        name = str(record.get(split)) if split else y
        out.setdefault(name, {})[record[x]] = value
        xs.add(record[x])
    try:
        categories = sorted(xs)
    except TypeError:
        categories = sorted(xs, key=str)
    return categories, out


def _fmt(value: float) -> str:
    return f"{value:,.0f}".replace(",", ".") if abs(value) >= 100 or value == int(value) else \
        f"{value:.2f}".replace(".", ",")


def ticks(low: float, high: float, wanted: int = 5) -> list[float]:
    """Round values for the y axis (1, 2 or 5 times a power of ten apart) from at or below `low` to at or above
    `high`: the axis runs from the first to the last, so every bar ends under a labelled line."""
    span = (high - low) or 1.0
    raw = span / wanted
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(n * step, 10) for n in range(first, last + 1)]


def svg(categories: list[Any], data: dict[str, dict[Any, float]], kind: str, x_label: str, y_label: str) -> Markup:
    """An SVG: a <g class="series"> per series holding one <path> (line) or one <rect> per point (bar)."""
    values = [v for points in data.values() for v in points.values()]
    low, high = min(values + [0.0]), max(values + [0.0])
    if high == low:
        high = low + 1
    marks = ticks(low, high)
    low, high = marks[0], marks[-1]
    plot_w, plot_h = WIDTH - MARGIN_LEFT - MARGIN_RIGHT, HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    step = plot_w / max(len(categories), 1)
    index = {c: i for i, c in enumerate(categories)}

    def px(category: Any) -> float:
        return MARGIN_LEFT + step * (index[category] + 0.5)

    def py(value: float) -> float:
        return MARGIN_TOP + plot_h * (high - value) / (high - low)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="satudata-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-label="{escape(y_label)}">',
             f'<line class="axis" x1="{MARGIN_LEFT}" y1="{py(0):.1f}" x2="{WIDTH - MARGIN_RIGHT}" y2="{py(0):.1f}" '
             'stroke="#888"/>',
             f'<line class="axis" x1="{MARGIN_LEFT}" y1="{MARGIN_TOP}" x2="{MARGIN_LEFT}" '
             f'y2="{MARGIN_TOP + plot_h}" stroke="#888"/>']
    for value in marks:
        parts.append(f'<line class="grid" x1="{MARGIN_LEFT}" y1="{py(value):.1f}" x2="{WIDTH - MARGIN_RIGHT}" '
                     f'y2="{py(value):.1f}" stroke="#ddd"/>')
        parts.append(f'<text class="tick" x="{MARGIN_LEFT - 6}" y="{py(value) + 4:.1f}" text-anchor="end" '
                     f'font-size="11">{escape(_fmt(value))}</text>')
    for category in categories:
        parts.append(f'<text x="{px(category):.1f}" y="{MARGIN_TOP + plot_h + 16}" text-anchor="middle" '
                     f'font-size="11">{escape(category)}</text>')
    parts.append(f'<text x="{MARGIN_LEFT + plot_w / 2:.1f}" y="{HEIGHT - 22}" text-anchor="middle" '
                 f'font-size="12">{escape(x_label)}</text>')
    bar_w = step * 0.8 / max(len(data), 1)
    for n, (name, points) in enumerate(data.items()):
        colour = COLOURS[n % len(COLOURS)]
        parts.append(f'<g class="series" data-series="{escape(name)}" data-points="{len(points)}" fill="{colour}" '
                     f'stroke="{colour}"><title>{escape(name)}</title>')
        ordered = [c for c in categories if c in points]
        if kind == "bar":
            for category in ordered:
                top, bottom = sorted((py(points[category]), py(0)))
                left = px(category) - step * 0.4 + bar_w * n
                parts.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{bar_w:.1f}" height="{bottom - top:.1f}">'
                             f'<title>{escape(category)}: {escape(_fmt(points[category]))}</title></rect>')
        else:
            d = " ".join(f"{'M' if i == 0 else 'L'}{px(c):.1f},{py(points[c]):.1f}" for i, c in enumerate(ordered))
            parts.append(f'<path d="{d}" fill="none" stroke-width="2"/>')
        parts.append("</g>")
        parts.append(f'<text class="legend" x="{MARGIN_LEFT + 10 + 140 * n}" y="{HEIGHT - 6}" font-size="11" '
                     f'fill="{colour}">\u25a0 {escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def chart(resource_id: str, config: dict[str, Any]) -> dict[str, Any]:
    """What the view's templates need: the fields, the settings with their defaults, and the SVG (or None)."""
    fields = _fields(resource_id)
    settings = defaults(config, fields)
    drawing = None
    if settings["x"] and settings["y"]:
        columns = [c for c in (settings["x"], settings["y"], settings["split"]) if c]
        result = tk.get_action("datastore_search")({}, {"resource_id": resource_id, "limit": MAX_ROWS,
                                                        "fields": columns, "sort": "_id", "include_total": False})
        categories, data = series(result["records"], settings["x"], settings["y"], settings["split"])
        if data:
            drawing = svg(categories, data, settings["kind"], settings["x"], settings["y"])
    return {"fields": fields, "options": [{"value": f["id"], "text": f["id"]} for f in fields],
            "settings": settings, "svg": drawing}


def default_settings(fields: list[dict[str, Any]]) -> Optional[dict[str, str]]:
    """The settings of the chart a loaded table gets by itself, or None when it has no category and number to draw:
    by year (a column `tahun`) a line, one per value of the first text column; else a bar per value of the first
    text column. y is the first other numeric column."""
    text = [f["id"] for f in fields if f["type"] == "text"]
    year = next((f["id"] for f in fields if f["id"].lower() == "tahun"), None)
    x = year or (text[0] if text else None)
    numeric = [f["id"] for f in fields if f["type"] in NUMERIC_TYPES and f["id"] != x]
    if not x or not numeric:
        return None
    if year:
        return {"x": year, "y": numeric[0], "split": text[0] if text else "", "kind": "line"}
    return {"x": x, "y": numeric[0], "split": "", "kind": "bar"}


def add_default_chart(context: dict[str, Any], resource: dict[str, Any]) -> Optional[dict[str, Any]]:
    """After a load (IXloader.after_upload): a chart view of the table when it has a category and a numeric column
    and the resource has no chart yet (the operator may change or delete it; a new load keeps theirs). The table
    view comes first, as CKAN would make it."""
    if not p.plugin_loaded("satudata_chart"):
        return None
    try:
        views = tk.get_action("resource_view_list")(dict(context), {"id": resource["id"]})
        if any(view["view_type"] == "satudata_chart" for view in views):
            return None
        settings = default_settings(_fields(resource["id"], context))
        if not settings:
            return None
        package = tk.get_action("package_show")(dict(context), {"id": resource["package_id"]})
        tk.get_action("resource_create_default_resource_views")(dict(context), {
            "resource": resource, "package": package, "create_datastore_views": True})
        return tk.get_action("resource_view_create")(dict(context), {
            "resource_id": resource["id"], "view_type": "satudata_chart", "title": tk._("Chart"), **settings})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        # The load itself stands (and xloader still makes its views): the chart can be added by hand.
        log.exception("No default chart for resource %s", resource.get("id"))
        return None

