import datetime

from collis.core.charts import Bar, Marker, Series, bar_chart, line_chart

D = datetime.date


def test_line_chart_is_an_accessible_image_with_every_point_and_marker():
    svg = line_chart(
        title="TWSTRS over time", description="Total score at each assessment",
        y_label="Score", y_max=85,
        series=[Series("Total", [(D(2025, 1, 1), 45), (D(2025, 4, 1), 38)])],
        markers=[Marker(D(2025, 2, 1), "Toxin cycle 1 <onabotulinumtoxinA>", "toxin")])
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "Total score at each assessment" in svg
    assert svg.count("<circle") == 2 + 1  # two points and the legend's marker
    assert "Toxin cycle 1 &lt;onabotulinumtoxinA&gt;" in svg  # labels are escaped
    assert "style=" not in svg  # inline styles would break the Content-Security-Policy


def test_a_hollow_series_shares_a_shape_and_is_told_apart_without_colour():
    svg = line_chart(
        title="TWSTRS over time", description="d", y_label="Score", y_max=85,
        series=[Series("Disability", [(D(2025, 1, 1), 12)], style=1),
                Series("Disability (patient-reported)", [(D(2025, 2, 1), 9)], style=1,
                       hollow=True)])
    # Both squares (the style's shape): one filled, one open, in the chart and the legend.
    assert svg.count("<rect") == 4
    assert svg.count('fill="#007f3b"/>') == 2 and svg.count('fill="#ffffff"') == 2
    assert "Disability (patient-reported)" in svg


def test_a_long_legend_wraps_and_the_chart_grows_to_hold_it():
    one = line_chart(title="t", description="d", y_label="Score",
                     series=[Series("Total", [(D(2025, 1, 1), 1)])])
    many = line_chart(title="t", description="d", y_label="Score", series=[
        Series(f"A rather long series label {n}", [(D(2025, 1, 1), n)]) for n in range(6)])
    assert 'viewBox="0 0 720 340"' in one
    assert 'viewBox="0 0 720 340"' not in many and 'translate(56 342)' in many


def test_line_chart_without_values_says_so():
    assert "No values recorded yet" in line_chart(title="t", description="d", series=[],
                                                  y_label="Score")


def test_bar_chart_labels_items_without_a_value():
    svg = bar_chart(title="Benefit", description="Peak benefit per cycle", y_label="%",
                    y_max=100, bars=[Bar("1", 70), Bar("2", None, "not reviewed")])
    assert svg.count("<rect") == 1 and "not reviewed" in svg and ">70<" in svg
