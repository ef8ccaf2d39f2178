"""How strong the whole network is, now and month by month, and the same as a chart."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

import numpy as np
from sqlalchemy.orm import Session

from takethelead.domain.layers import LAYER_NAMES, LAYER_SIZES
from takethelead.domain.network_report import NetworkSnapshot, network_report
from takethelead.services.core.errors import ServiceError
from takethelead.services.relationships.activity import load_touches
from takethelead.services.relationships.contact_ties import contact_edges
from takethelead.services.relationships.ledger import ledger_arrays, ledger_lines
from takethelead.services.relationships.weights import current_weights

MONTH_DAYS: Final = 365.25 / 12
CHART_SUFFIXES: Final = (".png", ".svg")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The network at one instant; effective size and constraint are None with no live ties."""

    at: datetime
    live_ties: int
    strong_ties: int
    active_ties: int
    layer_fill: tuple[int, ...]
    two_hop_reach: int
    effective_size: float | None
    constraint: float | None
    reciprocity_balance: float
    referrals_in: int  # during the month ending at `at`
    referrals_out: int


@dataclass(frozen=True, slots=True)
class NetworkReport:
    now: Snapshot
    months: tuple[Snapshot, ...]  # oldest first, the last one is `now`
    layer_sizes: tuple[int, ...]
    layer_names: tuple[str, ...]
    referrals_in_year: int
    referrals_out_year: int
    known_ties: int
    weights: str  # "default" or "fitted"


def network_strength(
    session: Session, workspace_id: int, months: int = 12, now: datetime | None = None
) -> NetworkReport:
    """Strong ties, layers, reach, Burt's measures, balance and referrals over `months`."""
    if not 1 <= months <= 120:
        raise ServiceError("months: expected 1 to 120")
    moment = now or datetime.now(UTC)
    activity = load_touches(session, workspace_id, moment)
    people = activity.people
    weights, fitted = current_weights(session, workspace_id)
    edges = contact_edges(session, workspace_id, people.ids)
    ledger = ledger_arrays(ledger_lines(session, workspace_id), people.ids)
    instants = [
        (moment - timedelta(days=MONTH_DAYS * k)).timestamp() for k in range(months, -1, -1)
    ]
    snapshots = tuple(
        _snapshot(s)
        for s in network_report(
            activity.touches,
            len(people),
            instants,
            edges.src,
            edges.dst,
            ledger=ledger,
            ratings=people.closeness,
            weights=weights,
        )
    )
    year = snapshots[1:]  # the first snapshot's period lies before the window
    return NetworkReport(
        now=snapshots[-1],
        months=snapshots,
        layer_sizes=LAYER_SIZES,
        layer_names=LAYER_NAMES,
        referrals_in_year=sum(s.referrals_in for s in year),
        referrals_out_year=sum(s.referrals_out for s in year),
        known_ties=len(edges.src),
        weights="fitted" if fitted else "default",
    )


def check_chart_path(path: Path) -> None:
    """Refuse a chart file name the chart cannot be written as, before any work is done."""
    if path.suffix.lower() not in CHART_SUFFIXES:
        raise ServiceError(f"chart {str(path)!r}: expected a file name ending in .png or .svg")
    if not path.parent.is_dir():
        raise ServiceError(f"chart {str(path)!r}: the folder {str(path.parent)!r} does not exist")


def write_chart(report: NetworkReport, path: Path) -> Path:
    """Small multiples of the report's trends as a PNG or SVG file."""
    check_chart_path(path)
    # The object-oriented API renders without pyplot's global state or a display.
    from matplotlib.figure import Figure

    months = report.months
    when = [s.at for s in months]
    figure = Figure(figsize=(11, 7.5), layout="constrained")
    axes = figure.subplots(2, 3)
    panels = (
        ("Strong ties", [s.strong_ties for s in months]),
        ("Active ties (contact in 90 days)", [s.active_ties for s in months]),
        ("2-hop reach", [s.two_hop_reach for s in months]),
        ("Effective size (Burt)", [_nan(s.effective_size) for s in months]),
        ("Constraint (Burt, lower is more open)", [_nan(s.constraint) for s in months]),
    )
    for ax, (title, values) in zip(axes.flat, panels, strict=False):
        ax.plot(when, values, marker="o", color="#2b6cb0")
        ax.set_title(title, fontsize=10)
    last = axes.flat[5]
    last.bar(
        when, [s.referrals_in for s in months], width=12, label="referrals in", color="#38a169"
    )
    last.bar(
        when, [-s.referrals_out for s in months], width=12, label="referrals out", color="#dd6b20"
    )
    balance = last.twinx()
    balance.plot(when, [s.reciprocity_balance for s in months], color="#4a5568", label="balance")
    last.set_title("Referrals in / out, give-and-take balance", fontsize=10)
    last.legend(fontsize=8, loc="upper left")
    for ax in axes.flat:
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
        ax.tick_params(axis="y", labelsize=8)
    figure.suptitle(f"Network strength, {months[0].at:%b %Y} to {months[-1].at:%b %Y}")
    figure.savefig(path, format=path.suffix.lower().lstrip("."))
    return path


def _snapshot(s: NetworkSnapshot) -> Snapshot:
    return Snapshot(
        at=datetime.fromtimestamp(s.at, UTC),
        live_ties=s.live_ties,
        strong_ties=s.strong_ties,
        active_ties=s.active_ties,
        layer_fill=s.layer_fill,
        two_hop_reach=s.two_hop_reach,
        effective_size=None if math.isnan(s.effective_size) else s.effective_size,
        constraint=None if math.isnan(s.constraint) else s.constraint,
        reciprocity_balance=s.reciprocity_balance,
        referrals_in=s.referrals_in,
        referrals_out=s.referrals_out,
    )


def _nan(value: float | None) -> float:
    return float(np.nan) if value is None else value
