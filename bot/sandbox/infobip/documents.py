"""Documents for resource requests: upload, download, delete, and the templates Infobip offers.

    POST   /resources/1/documents                multipart field `document` -> 201 {documentId}, Location
    GET    /resources/1/documents/{documentId}   the bytes, with Content-Type and Content-Disposition
    DELETE /resources/1/documents/{documentId}   204; an unknown id is 404 RR-DOC404

Uploads are kept in memory. A DOCUMENT requirement's value is the `documentId` an upload
returned; templates (requirement attachments) can be downloaded but are not the account's to
delete or to submit as its own document.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from bot.domain.requirements import DOCUMENT_CONTENT_TYPES
from bot.sandbox.infobip.errors import new_error

# *assumed*: the contract names the error but not the limit.
MAX_BYTES = 10 * 1024 * 1024


@dataclass
class Document:
    id: str
    filename: str
    content_type: str
    data: bytes
    uploaded_at: datetime
    template: bool = False


def upload_violation(filename: str | None, content_type: str | None, data: bytes | None) -> tuple[str, str] | None:
    """Why an uploaded part cannot be stored, in the contract's words, or None."""
    if filename is None or not data:
        return "document", "Must not be null or empty."
    if len(data) > MAX_BYTES:
        return "", "Maximum upload size exceeded"
    if not content_type:
        return "document", "Document content type is required."
    if PurePath(filename).suffix.lower() not in DOCUMENT_CONTENT_TYPES:
        return "document", "Unsupported document content type."
    return None


def content_disposition(filename: str) -> str:
    safe = filename.replace('"', "").replace("\\", "")
    return f'attachment; filename="{safe}"'


class DocumentStore:
    def __init__(self, new_id: Callable[[], str], now: Callable[[], datetime]) -> None:
        self._new_id = new_id
        self._now = now
        self._documents: dict[str, Document] = {}

    def add(self, filename: str, data: bytes, *, template: bool = False, document_id: str | None = None) -> Document:
        suffix = PurePath(filename).suffix.lower()
        document = Document(
            document_id or self._new_id(),
            PurePath(filename).name,
            DOCUMENT_CONTENT_TYPES.get(suffix, "application/octet-stream"),
            data,
            self._now(),
            template,
        )
        self._documents[document.id] = document
        return document

    def get(self, document_id: str) -> Document | None:
        return self._documents.get(document_id)

    def delete(self, document_id: str) -> bool:
        """False when there is no such document of the account's (templates are Infobip's)."""
        document = self._documents.get(document_id)
        if document is None or document.template:
            return False
        del self._documents[document_id]
        return True

    def is_uploaded(self, document_id: str) -> bool:
        document = self._documents.get(document_id)
        return document is not None and not document.template


def _bad_upload(prop: str, violation: str) -> JSONResponse:
    return new_error(
        400,
        "E400",
        "Request cannot be processed.",
        "Check the syntax, violations and adjust the request.",
        [(prop, violation)],
    )


def _not_found() -> JSONResponse:
    return new_error(404, "RR-DOC404", "Document not found.", "Please verify the document ID and adjust your request.")


def document_routes(store: DocumentStore) -> list[BaseRoute]:
    async def upload(request: Request) -> Response:
        try:
            form = await request.form()
        except HTTPException as exc:  # a malformed multipart body
            return _bad_upload("document", str(exc.detail))
        part = form.get("document")
        if not isinstance(part, UploadFile):
            return _bad_upload("document", "Must not be null or empty.")
        data = await part.read()
        violation = upload_violation(part.filename, part.content_type, data)
        if violation:
            return _bad_upload(*violation)
        document = store.add(part.filename or "", data)
        return JSONResponse(
            {"documentId": document.id}, status_code=201, headers={"Location": f"/resources/1/documents/{document.id}"}
        )

    async def download(request: Request) -> Response:
        document = store.get(request.path_params["document_id"])
        if document is None:
            return _not_found()
        return Response(
            document.data,
            media_type=document.content_type,
            headers={"Content-Disposition": content_disposition(document.filename)},
        )

    async def delete(request: Request) -> Response:
        if not store.delete(request.path_params["document_id"]):
            return _not_found()
        return Response(status_code=204)

    return [
        Route("/resources/1/documents", upload, methods=["POST"]),
        Route("/resources/1/documents/{document_id}", download, methods=["GET"]),
        Route("/resources/1/documents/{document_id}", delete, methods=["DELETE"]),
    ]


def template_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF: something a user can open and fill in."""
    text = [f"BT /F1 16 Tf 56 780 Td ({title}) Tj ET"]
    for i, line in enumerate(lines):
        text.append(f"BT /F1 11 Tf 56 {740 - 22 * i} Td ({line}) Tj ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
