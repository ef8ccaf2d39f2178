"""Import an export file, and export the workspace (JSON, CSV or vCard)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile
from starlette.responses import Response

from takethelead.services.auth import access
from takethelead.services.ingest.exchange import export_text, import_any
from takethelead.web.api.schemas import ImportOut, TallyOut
from takethelead.web.deps import ApiReader, ApiWriter, StoreDep
from takethelead.web.uploads import saved

router = APIRouter(tags=["import and export"])
MEDIA = {"json": "application/json", "csv": "text/csv", "vcard": "text/vcard"}


@router.post("/import", response_model=ImportOut)
def upload(
    store: StoreDep,
    who: ApiWriter,
    file: Annotated[UploadFile, File(description="The export file")],
    format: Annotated[str | None, Form(max_length=40)] = None,
) -> ImportOut:
    """Import a file atomically: all of it, or (with 422 naming the line) nothing."""
    with saved(file) as path, access.writing(store, who) as db:
        summary = import_any(db, who.workspace_id, path, format or None)
    return ImportOut(
        format=summary.format,
        people=TallyOut(**asdict(summary.people)),
        identities=TallyOut(**asdict(summary.identities)),
        interactions=TallyOut(**asdict(summary.interactions)),
        skipped=dict(summary.skipped),
    )


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA.values()}, "description": "The export"}},
)
def export(
    store: StoreDep, who: ApiReader, format: Literal["json", "csv", "vcard"] = "json"
) -> Response:
    """The whole workspace in one file."""
    with access.reading(store, who) as db:
        body = export_text(db, who.workspace_id, format)
    name = f"takethelead-{who.workspace}.{'vcf' if format == 'vcard' else format}"
    return Response(
        body,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
