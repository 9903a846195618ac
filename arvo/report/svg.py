"""Chart primitives that write inline SVG: line with band, grouped bars, horizontal bars, diverging stacked
bars, heat map and funnel.

Charts are drawn in Python so the report needs no JavaScript library and no network: each function
returns one `<svg>` string sized by its viewBox (it scales to the page width). Every data mark carries
`class="mark"` and `data-series`, `data-key`, `data-value` attributes (the exact value it draws) and a
`<title>` tooltip, which is what the tests compare with the marts. Colours are Okabe-Ito, safe for the
common colour-vision deficiencies; no meaning is carried by colour alone (legends, labels, markers).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# Okabe & Ito (2008), "Color Universal Design".
BLUE = "#0072B2"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
PURPLE = "#CC79A7"
GREY = "#555555"
INK = "#222222"
GRID = "#e3e3e3"

FONT = 13
Formatter = Callable[[float], str]


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _n(value: float) -> str:
    """A coordinate with one decimal: short markup, sub-pixel precision."""
    return f"{value:.1f}".rstrip("0").rstrip(".") if math.isfinite(value) else "0"


def mark_attrs(series: str, key: str, value: float | None) -> str:
    """The data attributes a test reads back: the mark's series, its key and the exact value drawn."""
    shown = "" if value is None else repr(float(value))
    return f'class="mark" data-series="{esc(series)}" data-key="{esc(key)}" data-value="{shown}"'


@dataclass(frozen=True)
class Scale:
    """A linear map from data values (d0..d1) to pixels (r0..r1)."""

    d0: float
    d1: float
    r0: float
    r1: float

    def __call__(self, value: float) -> float:
        span = self.d1 - self.d0 or 1.0
        return self.r0 + (value - self.d0) / span * (self.r1 - self.r0)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering lo..hi (1, 2, 2.5 or 5 times a power of ten apart)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        hi = lo + 1.0
    span = hi - lo
    magnitude = 10 ** math.floor(math.log10(span / count))
    step = magnitude
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if span / step <= count:
            break
    start = math.floor(lo / step + 1e-9) * step
    ticks = []
    value = start
    while value < hi + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def document(chart_id: str, title: str, desc: str, width: float, height: float, body: str) -> str:
    """The `<svg>` root: scalable, announced to screen readers by its title and description."""
    return (
        f'<svg class="chart" id="{esc(chart_id)}" data-chart="{esc(chart_id)}" viewBox="0 0 {_n(width)} '
        f'{_n(height)}" role="img" aria-labelledby="{esc(chart_id)}-t {esc(chart_id)}-d" '
        f'font-family="inherit" font-size="{FONT}">'
        f'<title id="{esc(chart_id)}-t">{esc(title)}</title><desc id="{esc(chart_id)}-d">{esc(desc)}</desc>'
        f"{body}</svg>"
    )


def text(x: float, y: float, content: str, anchor: str = "start", size: int = FONT, **extra: str) -> str:
    attrs = "".join(f' {k.replace("_", "-")}="{esc(v)}"' for k, v in extra.items())
    return f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}"{attrs}>{esc(content)}</text>'


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    kind: str = "rect"  # rect, line, dash, hollow, band


def legend(items: Sequence[LegendItem], x: float, y: float, width: float) -> tuple[str, float]:
    """A wrapping legend row; returns the markup and the height it took."""
    parts, cx, cy = [], x, y
    for item in items:
        item_width = 26 + 7.2 * len(item.label) + 18
        if cx + item_width > x + width and cx > x:
            cx, cy = x, cy + 20
        mid = cy + 6
        if item.kind == "line":
            parts.append(
                f'<line x1="{_n(cx)}" y1="{_n(mid)}" x2="{_n(cx + 20)}" y2="{_n(mid)}" stroke="{item.colour}" '
                'stroke-width="3"/>'
            )
        elif item.kind == "dash":
            parts.append(
                f'<line x1="{_n(cx)}" y1="{_n(mid)}" x2="{_n(cx + 20)}" y2="{_n(mid)}" stroke="{item.colour}" '
                'stroke-width="2" stroke-dasharray="5 3"/>'
            )
        elif item.kind == "hollow":
            parts.append(
                f'<circle cx="{_n(cx + 10)}" cy="{_n(mid)}" r="5" fill="#fff" stroke="{item.colour}" stroke-width="2"/>'
            )
        elif item.kind == "band":
            parts.append(
                f'<rect x="{_n(cx)}" y="{_n(cy)}" width="20" height="12" fill="{item.colour}" fill-opacity="0.18"/>'
            )
        else:
            parts.append(f'<rect x="{_n(cx)}" y="{_n(cy)}" width="14" height="12" fill="{item.colour}"/>')
        parts.append(text(cx + 26, cy + 11, item.label, size=12))
        cx += item_width
    return "".join(parts), cy - y + 24


def y_axis(scale: Scale, ticks: Sequence[float], left: float, right: float, fmt: Formatter, label: str) -> str:
    """Horizontal grid lines with tick labels, and the axis title written along the axis."""
    parts = []
    for tick in ticks:
        y = scale(tick)
        parts.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" stroke="{GRID}"/>')
        parts.append(text(left - 6, y + 4, fmt(tick), anchor="end", size=12, fill=GREY))
    mid = (scale.r0 + scale.r1) / 2
    parts.append(
        f'<text transform="translate({_n(left - 58)},{_n(mid)}) rotate(-90)" text-anchor="middle" '
        f'font-size="12" fill="{INK}" class="axis-label">{esc(label)}</text>'
    )
    return "".join(parts)


def x_labels(
    positions: Sequence[float], labels: Sequence[str], y: float, every: int = 1, title: str = "", centre: float = 0
) -> str:
    parts = [
        text(x, y, label, anchor="middle", size=12, fill=GREY)
        for i, (x, label) in enumerate(zip(positions, labels, strict=True))
        if i % every == 0
    ]
    if title:
        parts.append(text(centre, y + 22, title, anchor="middle", size=12, fill=INK, **{"class": "axis-label"}))
    return "".join(parts)


@dataclass
class Point:
    value: float
    low: float | None = None
    high: float | None = None
    flagged: bool = False
    note: str = ""


@dataclass
class LineSeries:
    name: str
    colour: str
    points: dict[str, Point]
    band: bool = True
    dashed: bool = False


def line_band_chart(
    chart_id: str,
    title: str,
    desc: str,
    x_keys: Sequence[str],
    x_names: Sequence[str],
    series: Sequence[LineSeries],
    y_label: str,
    y_fmt: Formatter,
    x_title: str,
    flagged_label: str,
    width: float = 960,
    height: float = 400,
) -> str:
    """Lines with a shaded uncertainty band; flagged points (small samples) drawn hollow, without band."""
    items = []
    for s in series:
        items.append(LegendItem(s.name, s.colour, "dash" if s.dashed else "line"))
        if s.band:
            items.append(LegendItem(f"{s.name} 95% margin of error", s.colour, "band"))
    items.append(LegendItem(flagged_label, GREY, "hollow"))
    legend_svg, legend_h = legend(items, 70, 8, width - 80)
    top, bottom, left, right = 8 + legend_h + 6, height - 48, 70, width - 16
    # The scale fits the reliable points and their bands; a flagged point beyond it (a survey month with
    # two answers can score -100) is pinned to the edge and labelled, instead of squashing every line.
    values = []
    for s in series:
        for p in s.points.values():
            if not p.flagged:
                values.append(p.value)
                if s.band and p.low is not None and p.high is not None:
                    values += [p.low, p.high]
    values = values or [p.value for s in series for p in s.points.values()]
    ticks = nice_ticks(min(values + [0.0]), max(values + [0.0]), 6)
    ys = Scale(ticks[0], ticks[-1], bottom, top)

    def y_of(value: float) -> float:
        return ys(min(max(value, ticks[0]), ticks[-1]))

    step = (right - left) / max(len(x_keys), 1)
    xpos = {k: left + step * (i + 0.5) for i, k in enumerate(x_keys)}
    parts = [legend_svg, y_axis(ys, ticks, left, right, y_fmt, y_label)]
    parts.append(f'<line x1="{_n(left)}" y1="{_n(ys(0))}" x2="{_n(right)}" y2="{_n(ys(0))}" stroke="{GREY}"/>')
    for s in series:
        if s.band:
            parts += _band_polygons(s, x_keys, xpos, ys)
    for s in series:
        keys = [k for k in x_keys if k in s.points]
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        for a, b in zip(keys, keys[1:], strict=False):
            # A segment touching a small sample is drawn thin and dotted: the point is not to be trusted.
            weak = s.points[a].flagged or s.points[b].flagged
            style = (
                ' stroke-dasharray="2 3" stroke-width="1.2"'
                if weak
                else f' stroke-width="{2 if s.dashed else 2.5}"{dash}'
            )
            parts.append(
                f'<line x1="{_n(xpos[a])}" y1="{_n(y_of(s.points[a].value))}" x2="{_n(xpos[b])}" '
                f'y2="{_n(y_of(s.points[b].value))}" stroke="{s.colour}"{style}/>'
            )
        for k in keys:
            p = s.points[k]
            fill = "#fff" if p.flagged else s.colour
            y = y_of(p.value)
            parts.append(
                f'<circle {mark_attrs(s.name, k, p.value)} cx="{_n(xpos[k])}" cy="{_n(y)}" '
                f'r="{5 if p.flagged else 3.5}" fill="{fill}" stroke="{s.colour}" stroke-width="2">'
                f"<title>{esc(p.note)}</title></circle>"
            )
            if y != ys(p.value):
                parts.append(
                    text(xpos[k] + 8, y + (-8 if y >= bottom - 1 else 16), f"{y_fmt(p.value)} (off scale)", size=11)
                )
    every = max(1, math.ceil(len(x_keys) * 70 / (right - left)))
    parts.append(x_labels([xpos[k] for k in x_keys], x_names, bottom + 18, every, x_title, (left + right) / 2))
    return document(chart_id, title, desc, width, height, "".join(parts))


def _band_polygons(s: LineSeries, x_keys: Sequence[str], xpos: dict[str, float], ys: Scale) -> list[str]:
    """One polygon per run of consecutive points that have a band (flagged points break the band)."""
    runs, run = [], []
    for k in x_keys:
        p = s.points.get(k)
        if p is not None and not p.flagged and p.low is not None and p.high is not None:
            run.append(k)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    out = []
    for run in runs:
        if len(run) == 1:
            k = run[0]
            p = s.points[k]
            out.append(
                f'<line x1="{_n(xpos[k])}" y1="{_n(ys(p.low))}" x2="{_n(xpos[k])}" y2="{_n(ys(p.high))}" '
                f'stroke="{s.colour}" stroke-opacity="0.35" stroke-width="6"/>'
            )
            continue
        upper = [f"{_n(xpos[k])},{_n(ys(s.points[k].high))}" for k in run]
        lower = [f"{_n(xpos[k])},{_n(ys(s.points[k].low))}" for k in reversed(run)]
        out.append(f'<polygon class="band" points="{" ".join(upper + lower)}" fill="{s.colour}" fill-opacity="0.18"/>')
    return out


@dataclass
class BarSeries:
    name: str
    colour: str
    values: dict[str, float | None]
    notes: dict[str, str] = field(default_factory=dict)


def grouped_bars(
    chart_id: str,
    title: str,
    desc: str,
    categories: Sequence[tuple[str, str]],
    series: Sequence[BarSeries],
    y_label: str,
    y_fmt: Formatter,
    value_fmt: Formatter,
    x_title: str = "",
    y_max: float | None = None,
    reference: tuple[float, str] | None = None,
    width: float = 960,
    height: float = 360,
) -> str:
    """Vertical bars, one group per category and one bar per series, each labelled with its value."""
    items = [LegendItem(s.name, s.colour) for s in series]
    if reference:
        items.append(LegendItem(reference[1], INK, "dash"))
    legend_svg, legend_h = legend(items, 76, 8, width - 90)
    top, bottom, left, right = 8 + legend_h + 14, height - (52 if x_title else 34), 76, width - 12
    values = [v for s in series for v in s.values.values() if v is not None]
    hi = max(values + [y_max or 0.0, reference[0] if reference else 0.0])
    lo = min(values + [0.0])
    ticks = nice_ticks(lo, hi * 1.08 if y_max is None else max(hi, y_max), 5)
    ys = Scale(ticks[0], ticks[-1], bottom, top)
    parts = [legend_svg, y_axis(ys, ticks, left, right, y_fmt, y_label)]
    group = (right - left) / max(len(categories), 1)
    bar = min(56.0, group * 0.8 / max(len(series), 1))
    centres = []
    for i, (key, _label) in enumerate(categories):
        centre = left + group * (i + 0.5)
        centres.append(centre)
        start = centre - bar * len(series) / 2
        for j, s in enumerate(series):
            value = s.values.get(key)
            if value is None:
                continue
            x = start + j * bar
            y0, y1 = ys(max(value, 0)), ys(min(value, 0))
            note = s.notes.get(key, f"{s.name}: {value_fmt(value)}")
            parts.append(
                f'<rect {mark_attrs(s.name, key, value)} x="{_n(x + 1)}" y="{_n(y0)}" width="{_n(bar - 2)}" '
                f'height="{_n(max(y1 - y0, 0.5))}" fill="{s.colour}"><title>{esc(note)}</title></rect>'
            )
            if bar >= 26:
                parts.append(text(x + bar / 2, y0 - 4, value_fmt(value), anchor="middle", size=11, fill=INK))
    if reference:
        y = ys(reference[0])
        parts.append(
            f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(right)}" y2="{_n(y)}" stroke="{INK}" stroke-dasharray="4 3"/>'
        )
    parts.append(f'<line x1="{_n(left)}" y1="{_n(ys(0))}" x2="{_n(right)}" y2="{_n(ys(0))}" stroke="{GREY}"/>')
    parts.append(x_labels(centres, [label for _, label in categories], bottom + 18, 1, x_title, (left + right) / 2))
    return document(chart_id, title, desc, width, height, "".join(parts))


@dataclass
class HBar:
    key: str
    label: str
    value: float
    colour: str
    note: str = ""


def hbars(
    chart_id: str,
    title: str,
    desc: str,
    bars: Sequence[HBar],
    series: str,
    x_label: str,
    value_fmt: Formatter,
    x_max: float,
    legend_items: Sequence[LegendItem] = (),
    width: float = 470,
) -> str:
    """Horizontal bars in the given order (a ranking), each with its label on the left and value on the right."""
    legend_svg, legend_h = legend(legend_items, 150, 6, width - 160) if legend_items else ("", 0)
    top, left, right, row = 6 + legend_h, 150, width - 48, 24
    bottom = top + row * len(bars)
    height = bottom + 40
    ticks = nice_ticks(0, x_max, 4)
    xs = Scale(0, ticks[-1], left, right)
    parts = [legend_svg]
    for tick in ticks:
        x = xs(tick)
        parts.append(f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(bottom)}" stroke="{GRID}"/>')
        parts.append(text(x, bottom + 15, value_fmt(tick), anchor="middle", size=11, fill=GREY))
    for i, b in enumerate(bars):
        y = top + i * row
        parts.append(text(left - 6, y + row / 2 + 4, b.label, anchor="end", size=12))
        parts.append(
            f'<rect {mark_attrs(series, b.key, b.value)} x="{_n(left)}" y="{_n(y + 4)}" '
            f'width="{_n(max(xs(b.value) - left, 0.5))}" height="{_n(row - 8)}" fill="{b.colour}">'
            f"<title>{esc(b.note or b.label)}</title></rect>"
        )
        parts.append(text(xs(b.value) + 4, y + row / 2 + 4, value_fmt(b.value), size=11, fill=INK))
    parts.append(text((left + right) / 2, bottom + 33, x_label, anchor="middle", size=12, **{"class": "axis-label"}))
    return document(chart_id, title, desc, width, height, "".join(parts))


def diverging_stack(
    chart_id: str,
    title: str,
    desc: str,
    x_keys: Sequence[str],
    x_names: Sequence[str],
    series: Sequence[BarSeries],
    net: dict[str, float],
    y_label: str,
    y_fmt: Formatter,
    x_title: str,
    width: float = 960,
    height: float = 420,
) -> str:
    """Stacked bars per period: gains stack up from zero, losses down; a diamond marks the net change."""
    items = [LegendItem(s.name, s.colour) for s in series] + [LegendItem("Net change", INK, "line")]
    legend_svg, legend_h = legend(items, 80, 8, width - 90)
    top, bottom, left, right = 8 + legend_h + 8, height - 48, 80, width - 12
    ups = {k: sum(max(s.values.get(k) or 0, 0) for s in series) for k in x_keys}
    downs = {k: sum(min(s.values.get(k) or 0, 0) for s in series) for k in x_keys}
    ticks = nice_ticks(min(list(downs.values()) + [0.0]), max(list(ups.values()) + [0.0]), 6)
    ys = Scale(ticks[0], ticks[-1], bottom, top)
    step = (right - left) / max(len(x_keys), 1)
    bar = step * 0.72
    parts = [legend_svg, y_axis(ys, ticks, left, right, y_fmt, y_label)]
    centres = []
    for i, k in enumerate(x_keys):
        centre = left + step * (i + 0.5)
        centres.append(centre)
        up, down = 0.0, 0.0
        for s in series:
            value = s.values.get(k) or 0.0
            if value >= 0:
                y0, y1 = ys(up + value), ys(up)
                up += value
            else:
                y0, y1 = ys(down), ys(down + value)
                down += value
            parts.append(
                f'<rect {mark_attrs(s.name, k, value)} x="{_n(centre - bar / 2)}" y="{_n(y0)}" width="{_n(bar)}" '
                f'height="{_n(max(y1 - y0, 0))}" fill="{s.colour}"><title>{esc(s.notes.get(k, ""))}</title></rect>'
            )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{_n(c)},{_n(ys(net[k]))}"
        for i, (c, k) in enumerate(zip(centres, x_keys, strict=True))
    )
    parts.append(f'<path d="{path}" fill="none" stroke="{INK}" stroke-width="1.5"/>')
    for c, k in zip(centres, x_keys, strict=True):
        y = ys(net[k])
        parts.append(
            f'<path {mark_attrs("Net change", k, net[k])} d="M{_n(c)},{_n(y - 4)} l4,4 l-4,4 l-4,-4 z" fill="{INK}">'
            f"<title>Net change {esc(y_fmt(net[k]))}</title></path>"
        )
    parts.append(f'<line x1="{_n(left)}" y1="{_n(ys(0))}" x2="{_n(right)}" y2="{_n(ys(0))}" stroke="{INK}"/>')
    every = max(1, math.ceil(len(x_keys) * 64 / (right - left)))
    parts.append(x_labels(centres, x_names, bottom + 18, every, x_title, (left + right) / 2))
    return document(chart_id, title, desc, width, height, "".join(parts))


def diverging_colour(value: float) -> str:
    """A ratio's colour: orange below 1, purple above, near-white at 1 (PuOr, safe for colour-vision
    deficiency). Log scale, so halving and doubling are equally far from 1 (both saturate)."""
    stops = [
        (-1.0, (179, 88, 6)),
        (-0.5, (241, 163, 64)),
        (0.0, (247, 247, 247)),
        (0.5, (153, 142, 195)),
        (1.0, (84, 39, 136)),
    ]
    t = max(-1.0, min(1.0, math.log2(value))) if value > 0 else -1.0
    for (t0, c0), (t1, c1) in zip(stops, stops[1:], strict=False):
        if t <= t1:
            f = (t - t0) / (t1 - t0)
            rgb = [round(a + (b - a) * f) for a, b in zip(c0, c1, strict=True)]
            return "#" + "".join(f"{v:02x}" for v in rgb)
    return "#542788"


def heat_map(
    chart_id: str,
    title: str,
    desc: str,
    row_keys: Sequence[str],
    row_names: Sequence[str],
    col_keys: Sequence[int],
    values: dict[tuple[str, int], float],
    notes: dict[tuple[str, int], str],
    colour: Callable[[float], str],
    legend_stops: Sequence[tuple[float, str]],
    x_label: str,
    y_label: str,
    series: str,
    width: float = 960,
) -> str:
    """A grid of coloured cells (rows x columns); empty cells are left blank, the legend shows the scale."""
    left, top, right, row_h = 92, 44, width - 12, 14
    cell = (right - left) / max(len(col_keys), 1)
    bottom = top + row_h * len(row_keys)
    height = bottom + 46
    parts = []
    lx = left
    parts.append(text(lx, 14, "Colour scale:", size=12))
    lx += 90
    for value, label in legend_stops:
        parts.append(f'<rect x="{_n(lx)}" y="4" width="28" height="12" fill="{colour(value)}" stroke="#bbb"/>')
        parts.append(text(lx + 32, 14, label, size=12))
        lx += 40 + 7 * len(label)
    for i, r in enumerate(row_keys):
        y = top + i * row_h
        parts.append(text(left - 6, y + row_h - 3, row_names[i], anchor="end", size=10, fill=GREY))
        for j, c in enumerate(col_keys):
            value = values.get((r, c))
            if value is None:
                continue
            parts.append(
                f'<rect {mark_attrs(series, f"{r}|{c}", value)} x="{_n(left + j * cell)}" y="{_n(y)}" '
                f'width="{_n(cell + 0.2)}" height="{row_h + 0.2}" fill="{colour(value)}">'
                f"<title>{esc(notes.get((r, c), ''))}</title></rect>"
            )
    every = max(1, math.ceil(22 / cell))
    parts.append(
        x_labels(
            [left + (j + 0.5) * cell for j in range(len(col_keys))], [str(c) for c in col_keys], bottom + 14, every
        )
    )
    parts.append(text((left + right) / 2, bottom + 36, x_label, anchor="middle", size=12, **{"class": "axis-label"}))
    parts.append(
        f'<text transform="translate(12,{_n((top + bottom) / 2)}) rotate(-90)" text-anchor="middle" '
        f'font-size="12" class="axis-label">{esc(y_label)}</text>'
    )
    return document(chart_id, title, desc, width, height, "".join(parts))


@dataclass
class FunnelStep:
    key: str
    label: str
    share: float
    customers: int
    drop_off: float


def funnel(
    chart_id: str, title: str, desc: str, panels: Sequence[tuple[str, str, Sequence[FunnelStep]]], width: float = 960
) -> str:
    """Side-by-side funnels: centred bars as wide as the share reaching each step, drop-off in between."""
    panel_w = width / max(len(panels), 1)
    step_h, top = 58, 30
    steps_n = max((len(steps) for _, _, steps in panels), default=0)
    height = top + steps_n * step_h + 10
    parts = []
    for p, (name, colour_, steps) in enumerate(panels):
        x0 = p * panel_w
        centre = x0 + panel_w / 2
        full = panel_w - 40
        parts.append(text(centre, 18, name, anchor="middle", size=14, font_weight="bold"))
        for i, s in enumerate(steps):
            y = top + i * step_h
            w = max(full * s.share, 1.0)
            parts.append(
                f'<rect {mark_attrs(name, s.key, s.share)} x="{_n(centre - w / 2)}" y="{_n(y + 18)}" width="{_n(w)}" '
                f'height="24" fill="{colour_}" fill-opacity="{0.95 - 0.1 * i:.2f}">'
                f"<title>{esc(f'{s.label}: {s.customers:,} customers ({s.share * 100:.1f}%)')}</title></rect>"
            )
            parts.append(
                text(
                    centre,
                    y + 13,
                    f"{i + 1}. {s.label}: {s.share * 100:.0f}% ({s.customers:,})",
                    anchor="middle",
                    size=12,
                )
            )
            if i:
                parts.append(
                    text(
                        x0 + 8,
                        y + 13,
                        f"\u2212{s.drop_off * 100:.0f}% drop-off",
                        size=11,
                        fill=VERMILLION if s.drop_off >= 0.3 else GREY,
                    )
                )
    return document(chart_id, title, desc, width, height, "".join(parts))
