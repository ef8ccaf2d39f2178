"""Chart geometry for one person's page, drawn as inline SVG by templates/person_charts.html."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from takethelead.domain.strength import LABEL_FLOORS, LABELS
from takethelead.services.relationships.history import StrengthHistory

WIDTH: Final = 360.0  # the SVG's own units; it scales to the page with viewBox
HEIGHT: Final = 190.0
LEFT: Final = 8.0
RIGHT: Final = 86.0  # room for the band names
TOP: Final = 10.0
PLOT: Final = 130.0  # height of the strength plot
BARS: Final = 22.0  # height of the touches-per-month bars under it
GAP: Final = 6.0


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    at: datetime
    score: float
    label: str
    when: str  # "Mar 2025" or "now"
    touches: int
    bar_y: float
    bar_height: float


@dataclass(frozen=True, slots=True)
class Band:
    """A strength label's stretch of the plot (inner circle at the top)."""

    name: str
    y: float
    height: float
    text_y: float


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True, slots=True)
class LineChart:
    width: float
    height: float
    plot_left: float
    plot_right: float
    bars_top: float
    line: str  # SVG points for <polyline>
    area: str  # SVG path for the area under the line
    points: tuple[Point, ...]
    bands: tuple[Band, ...]
    ticks: tuple[Tick, ...]
    bar_width: float
    caption: str
    summary: str  # the chart in words, for screen readers and for the caption


def _y(score: float) -> float:
    return TOP + PLOT * (1.0 - min(max(score, 0.0), 1.0))


def strength_chart(history: StrengthHistory) -> LineChart:
    """Strength at each month end as a line over the label bands, touches as bars below."""
    points = history.points
    span = WIDTH - LEFT - RIGHT
    step = span / max(len(points) - 1, 1)
    most = max((p.touches for p in points), default=0) or 1
    bars_top = TOP + PLOT + GAP
    drawn = []
    for i, p in enumerate(points):
        height = BARS * p.touches / most
        drawn.append(
            Point(
                x=round(LEFT + i * step, 1),
                y=round(_y(p.score), 1),
                at=p.at,
                score=p.score,
                label=p.label,
                when="now" if i == len(points) - 1 else f"{p.at:%b %Y}",
                touches=p.touches,
                bar_y=round(bars_top + BARS - height, 1),
                bar_height=round(height, 1),
            )
        )
    line = " ".join(f"{p.x},{p.y}" for p in drawn)
    bottom = TOP + PLOT
    area = f"M{drawn[0].x},{bottom} L" + " L".join(f"{p.x},{p.y}" for p in drawn)
    area += f" L{drawn[-1].x},{bottom} Z"
    tops = [1.0, *(float(f) for f in LABEL_FLOORS[:-1])]
    bands = tuple(
        Band(
            name=name,
            y=round(_y(top), 1),
            height=round(_y(low) - _y(top), 1),
            text_y=round((_y(top) + _y(low)) / 2 + 4, 1),
        )
        for name, top, low in zip(LABELS, tops, [*tops[1:], 0.0], strict=True)
    )
    # A month name every other point keeps the labels apart on a phone; none beside "now".
    ticks = [Tick(p.x, f"{p.at:%b}") for i, p in enumerate(drawn[:-1]) if (len(drawn) - i) % 2 == 1]
    ticks.append(Tick(drawn[-1].x, "now"))
    first, last = points[0], points[-1]
    change = last.score - first.score
    trend = "steady" if abs(change) < 0.02 else ("up" if change > 0 else "down")
    summary = (
        f"Strength {last.score:.2f} ({last.label}) now, {trend} from {first.score:.2f} "
        f"({first.label}) in {first.at:%B %Y}"
    )
    return LineChart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        bars_top=bars_top,
        line=line,
        area=area,
        points=tuple(drawn),
        bands=bands,
        ticks=tuple(ticks),
        bar_width=round(max(min(step * 0.6, 14.0), 2.0), 1),
        caption="Strength at the end of each month; bars: interactions that month",
        summary=summary,
    )


@dataclass(frozen=True, slots=True)
class Balance:
    """Give and take as two bars from a middle line: given to the left, received right."""

    given: int
    received: int
    given_width: float
    received_width: float
    middle: float
    width: float


def balance_bars(given: int, received: int) -> Balance:
    half = (WIDTH - 2 * LEFT) / 2
    most = max(given, received, 1)
    return Balance(
        given=given,
        received=received,
        given_width=round(half * given / most, 1),
        received_width=round(half * received / most, 1),
        middle=LEFT + half,
        width=WIDTH,
    )
