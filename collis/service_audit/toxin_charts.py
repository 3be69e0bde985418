"""Charts of the toxin clinic measures, drawn on the server as accessible SVG like the rest of
the audit's (collis.service_audit.charts): shares with their 95% intervals, one line per
category, and a share over time. No dose is drawn: units of different products are not
comparable [18], so doses stay in their table."""

from __future__ import annotations

from markupsafe import Markup, escape

from collis.core.charts import FONT
from collis.service_audit.charts import BLUE, DARK, GREY, WIDTH, _svg, _text

MUTED = "#4c6272"


def _scale_max(values) -> float:
    """100%, or less when every value is small, so that small shares can be read: a
    multiple of the ticks' step (10 up to 50%, 20 above)."""
    top = max([v for v in values if v is not None] + [10.0])
    step = _step(top)
    return min(100.0, step * (int(top // step) + 1))


def _step(scale: float) -> int:
    return 10 if scale <= 50 else 20


def share_chart(*, title: str, description: str, rows: list[dict], uid: str) -> Markup:
    """One line per category: the share as a bar with its 95% interval as a whisker. `rows`:
    label, rate, low, high (percent), words ("3 of 12"); or rate None with a note."""
    left, right, row_h, top = 250, 40, 38, 40
    height = top + row_h * max(len(rows), 1) + 50
    plot_w = WIDTH - left - right
    scale = _scale_max([r.get("high") for r in rows])

    def x_of(value: float) -> float:
        return left + plot_w * min(max(value, 0), scale) / scale

    body = []
    step = _step(scale)
    for tick in range(0, int(scale) + 1, step):
        x = x_of(tick)
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 8}" y2="{height - 40}" '
                    f'stroke="{GREY}"/>')
        body.append(_text(x, height - 22, f"{tick}%", size=13, anchor="middle"))
    if not rows:
        body.append(_text(WIDTH / 2, top + 20, "Nothing to show", anchor="middle"))
    for index, row in enumerate(rows):
        y = top + row_h * index + row_h / 2
        body.append(_text(left - 10, y + 5, row["label"][:34], size=13, anchor="end"))
        if row.get("rate") is None:
            body.append(_text(left + 6, y + 5, row.get("note", "Not shown"), size=12,
                              colour=MUTED))
            continue
        width = max(x_of(row["rate"]) - left, 1)
        body.append(f'<rect x="{left}" y="{y - 10:.1f}" width="{width:.1f}" height="20" '
                    f'fill="{BLUE}"><title>{escape(row["label"])}: {escape(row["words"])} '
                    f'({row["rate"]:.1f}%)</title></rect>')
        body.append(f'<line x1="{x_of(row["low"]):.1f}" x2="{x_of(row["high"]):.1f}" '
                    f'y1="{y:.1f}" y2="{y:.1f}" stroke="{DARK}" stroke-width="2.5"/>')
        for end in (row["low"], row["high"]):
            body.append(f'<line x1="{x_of(end):.1f}" x2="{x_of(end):.1f}" y1="{y - 6:.1f}" '
                        f'y2="{y + 6:.1f}" stroke="{DARK}" stroke-width="2.5"/>')
        label_x = min(x_of(row["high"]) + 8, WIDTH - right - 60)
        body.append(_text(label_x, y - 12 if label_x < x_of(row["high"]) else y + 5,
                          row["words"], size=12))
    body.append(f'<rect x="{left}" y="9" width="22" height="12" fill="{BLUE}"/>')
    body.append(_text(left + 28, 20, "share", size=13))
    body.append(f'<line x1="{left + 90}" x2="{left + 120}" y1="15" y2="15" stroke="{DARK}" '
                f'stroke-width="2.5"/>')
    body.append(_text(left + 128, 20, "95% confidence interval", size=13))
    return _svg(title, description, uid, height, body)


def rate_over_time_chart(*, title: str, description: str, points: list[dict],
                         uid: str) -> Markup:
    """A share per period (a year or a quarter) as a dot with its 95% interval, joined by a
    line; a period not shown (too few) is marked as such. `points`: label, rate, low, high,
    words; or rate None."""
    left, right, top, plot_h = 70, 30, 30, 240
    height = top + plot_h + 60
    plot_w = WIDTH - left - right
    scale = _scale_max([p.get("high") for p in points])
    slot = plot_w / max(len(points), 1)

    def x_of(index: int) -> float:
        return left + slot * (index + 0.5)

    def y_of(value: float) -> float:
        return top + plot_h - plot_h * min(max(value, 0), scale) / scale

    body = []
    step = _step(scale)
    for tick in range(0, int(scale) + 1, step):
        y = y_of(tick)
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="{GREY}"/>')
        body.append(_text(left - 8, y + 5, f"{tick}%", size=13, anchor="end"))
    if not points:
        body.append(_text(WIDTH / 2, top + plot_h / 2, "No cycles", anchor="middle"))
    line = []
    for index, point in enumerate(points):
        x = x_of(index)
        body.append(_text(x, top + plot_h + 22, point["label"], size=13, anchor="middle"))
        if point.get("rate") is None:
            body.append(_text(x, top + plot_h - 8, "Not shown", size=12, anchor="middle",
                              colour=MUTED))
            continue
        y = y_of(point["rate"])
        line.append(f"{x:.1f},{y:.1f}")
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y_of(point["low"]):.1f}" '
                    f'y2="{y_of(point["high"]):.1f}" stroke="{DARK}" stroke-width="2.5"/>')
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{BLUE}"><title>'
                    f'{escape(point["label"])}: {escape(point["words"])} '
                    f'({point["rate"]:.1f}%)</title></circle>')
        body.append(_text(x + 10, y - 8, point["words"], size=12))
    if len(line) > 1:
        body.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{BLUE}" '
                    f'stroke-width="2" stroke-dasharray="6 4"/>')
    body.append(f'<text x="16" y="{top + plot_h / 2:.1f}" font-size="13" '
                f'{FONT} fill="{DARK}" '
                f'text-anchor="middle" transform="rotate(-90 16 {top + plot_h / 2:.1f})">'
                f'Share of patients</text>')
    return _svg(title, description, uid, height, body)
