"""A plan's manual-post links come through an export and an import, pointing at the copies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import time_machine
from sqlalchemy import select

from takethelead.services.core.store import Store, workspace_id
from takethelead.services.ingest.exchange import export_json, import_json
from takethelead.services.planning import weekly as planning
from takethelead.services.posting.posts import PostRequest, create_post
from takethelead.storage.tables import Delivery, Person

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=UTC)  # a Wednesday


def test_an_imported_plans_manual_post_stands_for_the_imported_delivery(
    store: Store, tmp_path: Path
) -> None:
    export = tmp_path / "export.json"
    with time_machine.travel(NOW, tick=False):
        with store.transaction() as session:
            ws = workspace_id(session, "source")
            session.add(Person(workspace_id=ws, full_name="Sam Me", is_me=True))
            request = PostRequest(text="Paste me", targets=["linkedin"], at=NOW + timedelta(days=1))
            create_post(session, ws, request, NOW)
            planning.make_plan(session, ws)
            with export.open("w", encoding="utf-8") as out:
                export_json(session, ws, out)
        with store.transaction() as session:
            copy = workspace_id(session, "copy")
            import_json(session, copy, export)
            view = planning.current_plan(session, copy)
            deliveries = session.scalars(
                select(Delivery.id).where(Delivery.workspace_id == copy)
            ).all()
    assert view is not None
    manual = [i for i in view.items if i.kind == "manual-post"]
    assert len(manual) == 1 and manual[0].post_text == "Paste me"
    assert list(deliveries) == [manual[0].delivery_id]
