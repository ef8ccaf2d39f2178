"""Import: upload an export file; it goes in whole, in one transaction, or not at all."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import Response

from takethelead.domain.records import ParseError
from takethelead.importers import FORMATS
from takethelead.services.auth import access
from takethelead.services.core.errors import ServiceError
from takethelead.services.ingest.exchange import import_path
from takethelead.web.deps import Reader, StoreDep, Writer
from takethelead.web.templating import render
from takethelead.web.uploads import public, saved

router = APIRouter()
CHOICES = ("", *sorted(FORMATS), "takethelead-json")


@router.get("/import")
def import_page(request: Request, who: Reader) -> Response:
    return render(request, "import.html", who, formats=CHOICES, summaries=None, error=None)


@router.post("/import")
def upload(
    request: Request,
    store: StoreDep,
    who: Writer,
    file: Annotated[UploadFile, File()],
    format: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    try:
        with saved(file) as path, access.writing(store, who) as db:
            summaries = import_path(db, who.workspace_id, path, format or None)
    except (ServiceError, ParseError) as exc:
        # The transaction was rolled back: nothing of the file was written.
        return render(request, "import.html", who, 400, formats=CHOICES, summaries=None,
                      error=public(str(exc)), name=file.filename)  # fmt: skip
    return render(request, "import.html", who, formats=CHOICES, summaries=summaries, error=None,
                  name=file.filename)  # fmt: skip
