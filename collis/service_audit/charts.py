"""The service audit's charts, drawn on the server as accessible SVG in the manner of
collis.core.charts (title and description for assistive technology, no script, shapes and
patterns as well as colour): observed complication rates with their intervals against the
disclosed range, and Kaplan-Meier curves with their confidence band and numbers at risk.
Each page shows the data table beside the chart."""

from __future__ import annotations

from markupsafe import Markup, escape

from collis.core.charts import FONT

WIDTH = 760
BLUE, GREY, RED, DARK, PALE = "#005eb8", "#d8dde0", "#d5281b", "#212b32", "#aed0ee"


def _svg(title: str, description: str, uid: str, height: int, body: list[str]) -> Markup:
    # Every text that enters the SVG is escaped where it is placed.
    return Markup(  # noqa: S704
        f'<svg class="collis-chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{uid}-title {uid}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{uid}-title">{escape(title)}</title>'
        f'<desc id="{uid}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>")


def _text(x, y, words, *, size=14, anchor="start", colour=DARK, weight="normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" {FONT} fill="{colour}">{escape(words)}</text>')


def interval_chart(*, title: str, description: str, rows: list[dict], uid: str) -> Markup:
    """One line per risk: the disclosed range as a pale band, the observed rate as a dot
    (a red diamond when above the range) with its 95% interval as a line. `rows`: label,
    rate, low, high (percent), disclosed (low, high) or None, flagged."""
    left, right, row_h, top = 250, 30, 34, 40
    height = top + row_h * max(len(rows), 1) + 50
    plot_w = WIDTH - left - right
    scale_max = 100.0

    def x_of(value: float) -> float:
        return left + plot_w * min(max(value, 0), scale_max) / scale_max

    body = []
    for tick in range(0, 101, 20):
        x = x_of(tick)
        body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top - 8}" '
                    f'y2="{height - 40}" stroke="{GREY}"/>')
        body.append(_text(x, height - 22, f"{tick}%", size=13, anchor="middle"))
    if not rows:
        body.append(_text(WIDTH / 2, top + 20, "No risk to show", anchor="middle"))
    for index, row in enumerate(rows):
        y = top + row_h * index + row_h / 2
        label = row["label"] if len(row["label"]) <= 32 else row["label"][:31] + "…"
        body.append(_text(left - 10, y + 5, label, size=13, anchor="end"))
        if row.get("disclosed"):
            low, high = row["disclosed"]
            x1, x2 = x_of(low), x_of(high)
            width = max(x2 - x1, 0) + 4
            body.append(f'<rect x="{x1 - 2:.1f}" y="{y - 11:.1f}" width="{width:.1f}" '
                        f'height="22" fill="{PALE}" stroke="{BLUE}" stroke-dasharray="4 2">'
                        f'<title>Disclosed {low:g}% to {high:g}%</title></rect>')
        if row.get("rate") is None:
            body.append(_text(left + 6, y + 5, row.get("note", "Not shown"), size=12,
                              colour="#4c6272"))
            continue
        colour = RED if row.get("flagged") else DARK
        body.append(f'<line x1="{x_of(row["low"]):.1f}" x2="{x_of(row["high"]):.1f}" '
                    f'y1="{y:.1f}" y2="{y:.1f}" stroke="{colour}" stroke-width="2.5"/>')
        x = x_of(row["rate"])
        if row.get("flagged"):
            body.append(f'<polygon points="{x:.1f},{y - 7:.1f} {x + 7:.1f},{y:.1f} '
                        f'{x:.1f},{y + 7:.1f} {x - 7:.1f},{y:.1f}" fill="{RED}">'
                        f'<title>{escape(row["label"])}: {row["rate"]:.1f}%, above the '
                        f'disclosed range</title></polygon>')
        else:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{DARK}">'
                        f'<title>{escape(row["label"])}: {row["rate"]:.1f}%</title></circle>')
    legend_y = 18
    body.append(f'<rect x="{left}" y="{legend_y - 9}" width="22" height="12" fill="{PALE}" '
                f'stroke="{BLUE}" stroke-dasharray="4 2"/>')
    body.append(_text(left + 28, legend_y + 2, "disclosed range", size=13))
    body.append(f'<circle cx="{left + 160}" cy="{legend_y - 3}" r="5" fill="{DARK}"/>')
    body.append(_text(left + 170, legend_y + 2, "observed, with 95% CI", size=13))
    body.append(f'<polygon points="{left + 340},{legend_y - 10} {left + 347},{legend_y - 3} '
                f'{left + 340},{legend_y + 4} {left + 333},{legend_y - 3}" fill="{RED}"/>')
    body.append(_text(left + 352, legend_y + 2, "above the disclosed range", size=13))
    return _svg(title, description, uid, height, body)


def survival_chart(*, title: str, description: str, steps, uid: str,
                   at_risk: list[tuple[int, int]], max_months: float | None = None) -> Markup:
    """A Kaplan-Meier curve of the share who had the event (1 - S) as a step line, its 95%
    band shaded, and the numbers at risk printed under the time axis."""
    left, right, top, plot_h = 70, 30, 24, 240
    height = top + plot_h + 90
    plot_w = WIDTH - left - right
    last = max([s.time for s in steps] + [12.0])
    span = max_months or last
    y_max = 100.0

    def x_of(months: float) -> float:
        return left + plot_w * min(months, span) / span

    def y_of(share: float) -> float:
        return top + plot_h - plot_h * min(share * 100, y_max) / y_max

    body = []
    for tick in range(0, 101, 20):
        y = top + plot_h - plot_h * tick / y_max
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="{GREY}"/>')
        body.append(_text(left - 8, y + 5, f"{tick}%", size=13, anchor="end"))
    body.append(f'<text x="16" y="{top + plot_h / 2:.1f}" font-size="13" {FONT} '
                f'fill="{DARK}" text-anchor="middle" '
                f'transform="rotate(-90 16 {top + plot_h / 2:.1f})">Had it by then</text>')
    ticks = [m for m in (0, 3, 6, 12, 24, 36, 48, 60, 84, 120) if m <= span]
    for months in ticks:
        x = x_of(months)
        body.append(_text(x, top + plot_h + 20, f"{months}", size=13, anchor="middle"))
    body.append(_text(left + plot_w / 2, top + plot_h + 40, "Months after the operation",
                      size=13, anchor="middle"))
    body.append(_text(4, top + plot_h + 66, "At risk", size=13))
    for months, count in at_risk:
        body.append(_text(x_of(months), top + plot_h + 66, str(count), size=13,
                          anchor="middle"))
    if not steps:
        body.append(_text(WIDTH / 2, top + plot_h / 2, "No operations to show",
                          anchor="middle"))
        return _svg(title, description, uid, height, body)
    # The band: between the complements of the interval of S, as steps.
    upper, lower, line = [], [], [f"{x_of(0):.1f},{y_of(0):.1f}"]
    previous = (0.0, 0.0, 0.0)  # share, band low, band high
    for step in steps:
        x = x_of(step.time)
        share = 1 - step.survival
        band_low = 1 - step.high if step.high is not None else share
        band_high = 1 - step.low if step.low is not None else share
        line += [f"{x:.1f},{y_of(previous[0]):.1f}", f"{x:.1f},{y_of(share):.1f}"]
        upper += [f"{x:.1f},{y_of(previous[2]):.1f}", f"{x:.1f},{y_of(band_high):.1f}"]
        lower += [f"{x:.1f},{y_of(previous[1]):.1f}", f"{x:.1f},{y_of(band_low):.1f}"]
        previous = (share, band_low, band_high)
    end = x_of(span)
    line.append(f"{end:.1f},{y_of(previous[0]):.1f}")
    upper.append(f"{end:.1f},{y_of(previous[2]):.1f}")
    lower.append(f"{end:.1f},{y_of(previous[1]):.1f}")
    band = " ".join([f"{x_of(0):.1f},{y_of(0):.1f}", *upper, *reversed(lower)])
    body.append(f'<polygon points="{band}" fill="{PALE}" opacity="0.7">'
                f"<title>95% confidence band</title></polygon>")
    body.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{BLUE}" '
                f'stroke-width="3"/>')
    for step in steps:
        if step.censored:
            x, y = x_of(step.time), y_of(1 - step.survival)
            body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y - 6:.1f}" y2="{y + 6:.1f}" '
                        f'stroke="{DARK}" stroke-width="2"><title>{step.censored} censored '
                        f"at {step.time:.1f} months</title></line>")
    return _svg(title, description, uid, height, body)


CHANGE_STYLES = ((BLUE, "circle"), ("#007f3b", "square"), ("#330072", "triangle"))


def _marker(shape: str, x: float, y: float, colour: str, title: str) -> str:
    tip = f"<title>{escape(title)}</title>"
    if shape == "square":
        return (f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" '
                f'fill="{colour}">{tip}</rect>')
    if shape == "triangle":
        return (f'<polygon points="{x:.1f},{y - 7:.1f} {x - 7:.1f},{y + 6:.1f} '
                f'{x + 7:.1f},{y + 6:.1f}" fill="{colour}">{tip}</polygon>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="6" fill="{colour}">{tip}</circle>'


def change_chart(*, title: str, description: str, points: list[str], series: list[dict],
                 published: list[dict], uid: str) -> Markup:
    """Mean change from baseline as a percentage of the baseline mean at each review point,
    one series per measure (shape and colour), with the 95% interval as a whisker, and the
    published figures as red outlined diamonds. `series`: label, values {point: (value,
    low, high)}; `published`: label, point, value."""
    left, right, top, plot_h = 80, 30, 44, 260
    height = top + plot_h + 60
    plot_w = WIDTH - left - right
    y_low, y_high = -100.0, 20.0
    slot = plot_w / max(len(points), 1)

    def x_of(point: str, offset: int = 0) -> float:
        return left + slot * (points.index(point) + 0.5) + offset * 14

    def y_of(value: float) -> float:
        value = min(max(value, y_low), y_high)
        return top + plot_h * (y_high - value) / (y_high - y_low)

    body = []
    for tick in range(-100, 21, 20):
        y = y_of(tick)
        stroke = DARK if tick == 0 else GREY
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
                    f'stroke="{stroke}"/>')
        body.append(_text(left - 8, y + 5, f"{tick:+d}%" if tick else "0%", size=13,
                          anchor="end"))
    body.append(f'<text x="16" y="{top + plot_h / 2:.1f}" font-size="13" {FONT} '
                f'fill="{DARK}" text-anchor="middle" '
                f'transform="rotate(-90 16 {top + plot_h / 2:.1f})">Change from baseline</text>')
    for point in points:
        body.append(_text(x_of(point), top + plot_h + 22, point, size=13, anchor="middle"))
    for index, s in enumerate(series):
        colour, shape = CHANGE_STYLES[index % len(CHANGE_STYLES)]
        offset = index - (len(series) - 1) / 2
        for point, (value, low, high) in s["values"].items():
            x = x_of(point, offset)
            if low is not None:
                body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y_of(low):.1f}" '
                            f'y2="{y_of(high):.1f}" stroke="{colour}" stroke-width="2.5"/>')
            body.append(_marker(shape, x, y_of(value), colour,
                                f"{s['label']}, {point}: {value:+.0f}%"))
    for item in published:
        x, y = x_of(item["point"], 2), y_of(item["value"])
        body.append(f'<polygon points="{x:.1f},{y - 8:.1f} {x + 8:.1f},{y:.1f} {x:.1f},'
                    f'{y + 8:.1f} {x - 8:.1f},{y:.1f}" fill="none" stroke="{RED}" '
                    f'stroke-width="2.5"><title>{escape(item["label"])}: '
                    f'{item["value"]:+.0f}%</title></polygon>')
    x = left
    for index, s in enumerate(series):
        colour, shape = CHANGE_STYLES[index % len(CHANGE_STYLES)]
        body.append(_marker(shape, x + 6, 18, colour, s["label"]))
        body.append(_text(x + 18, 23, s["label"], size=13))
        x += 40 + 7 * len(s["label"])
    body.append(f'<polygon points="{x + 6},10 {x + 14},18 {x + 6},26 {x - 2},18" fill="none" '
                f'stroke="{RED}" stroke-width="2.5"/>')
    body.append(_text(x + 20, 23, "published series", size=13))
    return _svg(title, description, uid, height, body)
