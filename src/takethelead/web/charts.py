"""Chart geometry for inline SVG drawn by the templates: no JavaScript, no chart library."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from takethelead.services.leads.referrals import Funnel
from takethelead.services.networks.timeentries import NetworkEvidence
from takethelead.services.relationships.fadingcache import FadingTie

WIDTH: Final = 320.0  # the SVG's own units; it scales to the page with viewBox
LABEL: Final = 110.0
ROW: Final = 26.0


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    y: float
    x: float
    width: float
    low: float  # credible interval, as x positions
    high: float
    value: str
    muted: bool  # too little evidence to trust


@dataclass(frozen=True, slots=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: float
    height: float
    caption: str


def usefulness_chart(networks: Sequence[NetworkEvidence]) -> BarChart:
    """Responses per hour by network, with the 90% interval as a whisker."""
    span = WIDTH - LABEL - 40
    top = max((n.high for n in networks), default=0.0) or 1.0
    bars = tuple(
        Bar(
            label=n.name[:18],
            y=i * ROW,
            x=LABEL,
            width=max(span * n.mean / top, 1.0),
            low=LABEL + span * n.low / top,
            high=LABEL + span * n.high / top,
            value=f"{n.mean:.1f}/h",
            muted=not n.has_evidence,
        )
        for i, n in enumerate(networks)
    )
    return BarChart(
        bars, WIDTH, max(len(bars), 1) * ROW, "Responses per hour spent; whiskers: 90% interval"
    )


@dataclass(frozen=True, slots=True)
class Split:
    """A 100% bar of automated against personal touches."""

    automated: int
    personal: int
    automated_width: float
    width: float

    @property
    def personal_width(self) -> float:
        return self.width - self.automated_width


def balance_split(automated: int, personal: int) -> Split:
    total = automated + personal
    share = automated / total if total else 0.0
    return Split(automated, personal, round(WIDTH * share, 1), WIDTH)


@dataclass(frozen=True, slots=True)
class Fade:
    person_id: int
    label: str
    y: float
    before: float  # x positions on the strength scale
    now: float
    value: str


@dataclass(frozen=True, slots=True)
class FadeChart:
    fades: tuple[Fade, ...]
    width: float
    height: float
    axis: float  # where the scale starts
    caption: str


def fade_chart(ties: Sequence[FadingTie]) -> FadeChart:
    """Each fading tie as a line from its strength 90 days ago down to its strength now."""
    span = WIDTH - LABEL - 10
    fades = tuple(
        Fade(
            person_id=t.person_id,
            label=t.full_name[:18],
            y=i * ROW,
            before=LABEL + span * min(max(t.before, 0.0), 1.0),
            now=LABEL + span * min(max(t.strength, 0.0), 1.0),
            value=f"{t.before:.2f} → {t.strength:.2f}",
        )
        for i, t in enumerate(ties)
    )
    return FadeChart(
        fades, WIDTH, max(len(fades), 1) * ROW, LABEL, "Strength 90 days ago (ring) and now (dot)"
    )


@dataclass(frozen=True, slots=True)
class FunnelBar:
    label: str
    count: int
    y: float
    width: float
    share: str  # of the first stage


@dataclass(frozen=True, slots=True)
class FunnelChart:
    title: str
    bars: tuple[FunnelBar, ...]
    height: float
    note: str


FUNNEL_SPAN: Final = WIDTH - LABEL - 64.0  # room for the label and "12 · 100%"


def funnel_chart(funnel: Funnel, title: str) -> FunnelChart:
    """Bars for the funnel's stages, as wide as their counts, for the inline SVG."""
    top = max((s.count for s in funnel.stages), default=0) or 1
    first = funnel.stages[0].count if funnel.stages else 0
    bars = tuple(
        FunnelBar(
            label=s.label,
            count=s.count,
            y=i * ROW,
            width=round(max(FUNNEL_SPAN * s.count / top, 2.0 if s.count else 0.0), 1),
            share=f"{100 * s.count / first:.0f}%" if first and i else "",
        )
        for i, s in enumerate(funnel.stages)
    )
    note = f"{funnel.lost} lost"
    if funnel.won_value:
        note += f" · {funnel.won_value:,.0f} won"
    return FunnelChart(title, bars, len(bars) * ROW, note)
