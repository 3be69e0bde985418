"""Charts drawn on the server as accessible SVG: a title and description for assistive
technology, series told apart by line style and marker shape as well as colour, and no
script. Pages show a data table with the same numbers beside every chart."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 340
LEFT, RIGHT, TOP, BOTTOM = 56, 20, 28, 64
FONT = 'font-family="Frutiger W01, Arial, Helvetica, sans-serif"'
# NHS.UK palette, each with its own dash pattern and marker so colour is never the only cue.
STYLES = (
    ("#005eb8", "", "circle"),
    ("#007f3b", "8 4", "square"),
    ("#330072", "3 3", "triangle"),
    ("#d5281b", "12 4 3 4", "diamond"),
    ("#212b32", "1 3", "circle"),
)
MARKER_STYLES = {"toxin": ("#4c6272", "2 4", "T"), "operation": ("#d5281b", "6 3", "S")}
# A hollow series (see `Series`): open markers on a thin dotted line.
HOLLOW_DASH = "2 4"
LEGEND_ROW = 20


@dataclass(frozen=True)
class Series:
    """One line of a chart. `style` picks its colour, dash and marker shape from STYLES
    (by default its place among the series), so that one measure rated by two people can
    share a shape; `hollow` draws open markers on a thin dotted line, which tells such a
    series apart without colour (its legend says whose it is)."""

    label: str
    points: list[tuple[datetime.date, float]] = field(default_factory=list)
    style: int | None = None
    hollow: bool = False


@dataclass(frozen=True)
class Marker:
    when: datetime.date
    label: str
    kind: str = "toxin"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    note: str = ""


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _ticks(y_max: float, count: int = 5) -> list[float]:
    return [y_max * i / count for i in range(count + 1)]


def _fmt(value: float) -> str:
    return f"{value:g}"


def _shape(kind: str, x: float, y: float, colour: str, hollow: bool = False) -> str:
    paint = (f'fill="#ffffff" stroke="{colour}" stroke-width="2"' if hollow
             else f'fill="{colour}"')
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" {paint}/>'
    if kind == "triangle":
        return (f'<polygon points="{x:.1f},{y - 5:.1f} {x - 5:.1f},{y + 4:.1f} '
                f'{x + 5:.1f},{y + 4:.1f}" {paint}/>')
    if kind == "diamond":
        return (f'<polygon points="{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} '
                f'{x - 5:.1f},{y:.1f}" {paint}/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" {paint}/>'


def _line_style(series: Series, index: int) -> tuple[str, str, str, str]:
    """(colour, dash attribute, stroke width, marker shape) of a series."""
    colour, dash, shape = STYLES[(index if series.style is None else series.style)
                                 % len(STYLES)]
    if series.hollow:
        return colour, f' stroke-dasharray="{HOLLOW_DASH}"', "2", shape
    return colour, f' stroke-dasharray="{dash}"' if dash else "", "2.5", shape


def _frame(title: str, description: str, uid: str, body: list[str],
           height: int = HEIGHT) -> Markup:
    # Every text that enters the SVG is escaped where it is placed.
    return Markup(  # noqa: S704
        f'<svg class="collis-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{uid}-title">{escape(title)}</title>'
        f'<desc id="{uid}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _y_axis(y_max: float, y_label: str, plot_h: float) -> list[str]:
    parts = []
    for tick in _ticks(y_max):
        y = TOP + plot_h - plot_h * tick / y_max
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#d8dde0" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                     f'{FONT} fill="#212b32">{_fmt(tick)}</text>')
    parts.append(f'<text x="14" y="{TOP + plot_h / 2:.1f}" font-size="12" {FONT} fill="#212b32" '
                 f'text-anchor="middle" transform="rotate(-90 14 {TOP + plot_h / 2:.1f})">'
                 f"{escape(y_label)}</text>")
    return parts


def line_chart(*, title: str, description: str, series: list[Series],
               markers: list[Marker] | tuple = (), y_label: str,
               y_max: float | None = None) -> Markup:
    """Values over time: one line per series, vertical lines for events (toxin cycles,
    operations), and a legend."""
    uid = f"chart-{abs(hash((title, description))) % 10**8}"
    dates = [d for s in series for d, _ in s.points] + [m.when for m in markers]
    values = [v for s in series for _, v in s.points]
    if not values:
        return _frame(title, description + " No values yet.", uid, [
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="16" {FONT} '
            'fill="#4c6272">No values recorded yet</text>'])
    first, last = min(dates), max(dates)
    span = max((last - first).days, 1)
    first -= datetime.timedelta(days=math.ceil(span * 0.04))
    span = max((last - first).days, 1) * 1.04
    top = y_max if y_max is not None else _nice_max(max(values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(day: datetime.date) -> float:
        return LEFT + plot_w * (day - first).days / span

    def y_of(value: float) -> float:
        return TOP + plot_h - plot_h * min(value, top) / top

    body = _y_axis(top, y_label, plot_h)
    body.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" '
                f'y2="{TOP + plot_h}" stroke="#212b32"/>')
    # Date labels: about five across the axis.
    for i in range(5):
        day = first + datetime.timedelta(days=round(span * (i + 0.5) / 5))
        body.append(f'<text x="{x_of(day):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" '
                    f'font-size="12" {FONT} fill="#212b32">{day:%b %Y}</text>')
    for marker in markers:
        colour, dash, letter = MARKER_STYLES.get(marker.kind, ("#4c6272", "2 4", "•"))
        x = x_of(marker.when)
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}" '
                    f'stroke="{colour}" stroke-dasharray="{dash}" stroke-width="1.5">'
                    f"<title>{escape(marker.label)}</title></line>")
        body.append(f'<text x="{x:.1f}" y="{TOP - 6}" text-anchor="middle" font-size="11" '
                    f'{FONT} fill="{colour}">{letter}</text>')
    for index, s in enumerate(series):
        colour, dash_attr, width, shape = _line_style(s, index)
        points = sorted(s.points)
        if len(points) > 1:
            path = " ".join(f"{x_of(d):.1f},{y_of(v):.1f}" for d, v in points)
            body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                        f'stroke-width="{width}"{dash_attr}/>')
        body.extend(_shape(shape, x_of(d), y_of(v), colour, s.hollow) for d, v in points)
    # Legend, below the axis, in as many rows as its entries need (the chart grows). Each
    # entry is drawn at the origin and moved into place.
    entries = []
    for index, s in enumerate(series):
        colour, dash_attr, width, shape = _line_style(s, index)
        entries.append((44 + 7 * len(s.label), [
            f'<line x1="0" x2="26" y1="0" y2="0" stroke="{colour}" '
            f'stroke-width="{width}"{dash_attr}/>',
            _shape(shape, 13, 0, colour, s.hollow),
            f'<text x="32" y="4" font-size="12" {FONT} fill="#212b32">'
            f"{escape(s.label)}</text>"]))
    for kind in sorted({m.kind for m in markers}):
        colour, _dash, letter = MARKER_STYLES.get(kind, ("#4c6272", "2 4", "•"))
        name = {"toxin": "toxin injection", "operation": "operation"}.get(kind, kind)
        entries.append((40 + 7 * len(name), [
            f'<text x="0" y="4" font-size="12" {FONT} fill="{colour}">'
            f"{letter} = {escape(name)}</text>"]))
    x, row = LEFT, 0
    for width, parts in entries:
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, row = LEFT, row + 1
        body.append(f'<g transform="translate({x} {HEIGHT - 18 + LEGEND_ROW * row})">'
                    + "".join(parts) + "</g>")
        x += width
    return _frame(title, description, uid, body, height=HEIGHT + LEGEND_ROW * row)


def bar_chart(*, title: str, description: str, bars: list[Bar], y_label: str,
              y_max: float | None = None) -> Markup:
    """One bar per item (for example peak benefit per toxin cycle); an item without a value
    is labelled with its note instead of a bar."""
    uid = f"chart-{abs(hash((title, description))) % 10**8}"
    if not bars:
        return _frame(title, description + " No values yet.", uid, [
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="16" {FONT} '
            'fill="#4c6272">No values recorded yet</text>'])
    values = [b.value for b in bars if b.value is not None]
    top = y_max if y_max is not None else _nice_max(max(values, default=1))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    body = _y_axis(top, y_label, plot_h)
    body.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" '
                f'y2="{TOP + plot_h}" stroke="#212b32"/>')
    slot = plot_w / len(bars)
    width = min(48.0, slot * 0.6)
    for index, bar in enumerate(bars):
        centre = LEFT + slot * (index + 0.5)
        body.append(f'<text x="{centre:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle" '
                    f'font-size="12" {FONT} fill="#212b32">{escape(bar.label)}</text>')
        if bar.value is None:
            body.append(f'<text x="{centre:.1f}" y="{TOP + plot_h - 8}" text-anchor="middle" '
                        f'font-size="11" {FONT} fill="#4c6272">'
                        f'{escape(bar.note or "no value")}</text>')
            continue
        height = plot_h * min(bar.value, top) / top
        y = TOP + plot_h - height
        body.append(f'<rect x="{centre - width / 2:.1f}" y="{y:.1f}" width="{width:.1f}" '
                    f'height="{height:.1f}" fill="#005eb8"><title>{escape(bar.label)}: '
                    f"{_fmt(bar.value)}</title></rect>")
        body.append(f'<text x="{centre:.1f}" y="{y - 6:.1f}" text-anchor="middle" '
                    f'font-size="12" {FONT} fill="#212b32">{_fmt(bar.value)}</text>')
    return _frame(title, description, uid, body)
