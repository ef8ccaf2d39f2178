"""Publishing on the queue: every minute, one delivery pass (claims make concurrent passes safe).

`register_publishing` puts the task on a queue built by `jobs.queue.build_huey`; `lead worker`
runs it. The engine lives as long as the worker, so connectors and sessions are reused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from huey import Huey, crontab

from takethelead.config import Settings
from takethelead.services.core.store import Store
from takethelead.services.posting.delivery import DeliveryEngine, PassReport


def publish_due(settings: Settings, engine: DeliveryEngine | None = None) -> PassReport:
    """One pass over the due deliveries of every workspace."""
    if engine is not None:
        return engine.run_pass()
    store = Store.open(settings)
    own = DeliveryEngine(store)
    try:
        return own.run_pass()
    finally:
        own.close()
        store.close()


@dataclass(frozen=True)
class Publishing:
    """The registered task (call `publish.call_local()` to run it here) and its engine."""

    publish: Any  # a huey TaskWrapper
    engine: DeliveryEngine

    def close(self) -> None:
        self.engine.close()
        self.engine.store.close()


def register_publishing(huey: Huey, settings: Settings) -> Publishing:
    """Put the every-minute publishing task on `huey`."""
    engine = DeliveryEngine(Store.open(settings))

    @huey.periodic_task(crontab(minute="*"), name="publish-due")  # type: ignore[untyped-decorator]
    def publish() -> int:
        return publish_due(settings, engine).total()

    return Publishing(publish=publish, engine=engine)
