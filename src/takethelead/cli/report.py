"""`lead report`: how strong the network is, now and month by month."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer

from takethelead.cli.state import STATE, console, escape, friendly, print_json
from takethelead.services.relationships.report import (
    NetworkReport,
    check_chart_path,
    network_strength,
    write_chart,
)

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None]) -> str:
    """One bar per value between the smallest and the largest; a space where there is none."""
    known = [v for v in values if v is not None and math.isfinite(v)]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    span = high - low
    bars = []
    for v in values:
        if v is None or not math.isfinite(v):
            bars.append(" ")
        else:
            step = 0 if span == 0 else round((v - low) / span * (len(BARS) - 1))
            bars.append(BARS[step])
    return "".join(bars)


@friendly
def report(
    months: Annotated[int, typer.Option(help="How many months back.")] = 12,
    chart: Annotated[
        Path | None, typer.Option(help="Also draw the trends to FILE.png or FILE.svg.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Network strength: strong ties, Dunbar layers, reach, Burt's measures, give and take.

    Example: lead report --chart network.svg
    """
    if chart is not None:
        check_chart_path(chart)
    with STATE.transaction() as (session, ws):
        found = network_strength(session, ws, months=months)
    if chart is not None:
        write_chart(found, chart)
    if as_json:
        print_json(found)
        return
    _render(found)
    if chart is not None:
        console.print(f"Chart written to {escape(str(chart))}")


def _render(found: NetworkReport) -> None:
    now, months = found.now, found.months
    console.print(
        f"[bold]Network strength[/] on {now.at:%Y-%m-%d}; trend over {len(months) - 1} months, "
        f"oldest → newest ({found.weights} weights, {found.known_ties} ties between contacts)"
    )

    def row(label: str, value: str, series: Sequence[float | None]) -> None:
        console.print(f"  {label:<24}{value:>10}   {sparkline(series)}")

    row("Strong ties", str(now.strong_ties), [s.strong_ties for s in months])
    row("Active ties (90 days)", str(now.active_ties), [s.active_ties for s in months])
    row("Live ties", str(now.live_ties), [s.live_ties for s in months])
    row("2-hop reach", f"{now.two_hop_reach:,}", [s.two_hop_reach for s in months])
    row("Effective size (Burt)", _number(now.effective_size), [s.effective_size for s in months])
    row("Constraint (Burt)", _number(now.constraint, 3), [s.constraint for s in months])
    row(
        "Reciprocity balance",
        f"{now.reciprocity_balance:+.1f}",
        [s.reciprocity_balance for s in months],
    )
    row("Referrals in (month)", str(now.referrals_in), [s.referrals_in for s in months])
    row("Referrals out (month)", str(now.referrals_out), [s.referrals_out for s in months])
    layers = " · ".join(
        f"{name} {n}/{size - previous}"
        for name, n, size, previous in zip(
            found.layer_names,
            now.layer_fill,
            found.layer_sizes,
            (0, *found.layer_sizes[:-1]),
            strict=True,
        )
    )
    console.print(f"  Dunbar layers: {layers}")
    console.print(
        f"  Referrals over {len(months) - 1} months: {found.referrals_in_year} in, "
        f"{found.referrals_out_year} out"
    )
    if now.reciprocity_balance > 0:
        console.print("  [dim]Balance above 0: you have given more than you received.[/]")
    elif now.reciprocity_balance < 0:
        console.print("  [dim]Balance below 0: you have received more than you gave.[/]")


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"
