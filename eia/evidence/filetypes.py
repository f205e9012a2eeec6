"""Deciding what a file is from its bytes, not its name.

Allowed: PDF, Word (DOCX), Excel (XLSX), OpenDocument text and spreadsheets (ODT, ODS), CSV, plain
text, PNG and JPEG. Anything else (executables, HTML, SVG, old binary Office formats, archives) is
refused, whatever it is called.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extension: str


PDF = FileType("PDF", "application/pdf", "pdf")
PNG = FileType("PNG image", "image/png", "png")
JPEG = FileType("JPEG image", "image/jpeg", "jpg")
DOCX = FileType("Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
XLSX = FileType("Excel spreadsheet", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
ODT = FileType("OpenDocument text", "application/vnd.oasis.opendocument.text", "odt")
ODS = FileType("OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet", "ods")
CSV = FileType("CSV file", "text/csv", "csv")
TEXT = FileType("text file", "text/plain", "txt")

ALLOWED_LABELS = "PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT, ODS), CSV, text, PNG or JPEG"

#: Markup that a browser would run if the file were ever opened: never accepted as text.
_ACTIVE_MARKERS = (
    b"<script",
    b"<html",
    b"<!doctype",
    b"<svg",
    b"<iframe",
    b"<object",
    b"<embed",
    b"javascript:",
    b"<img",
    b"<body",
    b"<meta",
)
_HANDLER = re.compile(rb"<[a-z][^>]*\son[a-z]+\s*=")


class NotAllowed(ValueError):
    """The bytes are not one of the allowed kinds; the message says so in plain words."""


def _zip_kind(head: bytes, whole: bytes) -> FileType:
    try:
        archive = zipfile.ZipFile(io.BytesIO(whole))
        names = set(archive.namelist())
        if "mimetype" in names:
            with archive.open("mimetype") as entry:  # never unpack more than a few bytes
                mimetype = entry.read(100).strip()
            if mimetype == ODT.content_type.encode():
                return ODT
            if mimetype == ODS.content_type.encode():
                return ODS
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
    except (zipfile.BadZipFile, KeyError, RuntimeError, ValueError, EOFError, zlib.error):
        pass
    raise NotAllowed(f"The file is a compressed archive, not a document. Upload a {ALLOWED_LABELS} file.")


def _text_kind(data: bytes, name: str) -> FileType:
    if b"\x00" in data:
        raise NotAllowed(f"The file is not a document we accept. Upload a {ALLOWED_LABELS} file.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise NotAllowed(f"The file is not a document we accept. Upload a {ALLOWED_LABELS} file.") from None
    lowered = data.lower()
    if any(marker in lowered for marker in _ACTIVE_MARKERS) or (b" on" in lowered and _HANDLER.search(lowered)):
        raise NotAllowed("The file contains web page code (HTML, SVG or script), which we do not accept.")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text[:65536])
    if printable < 0.98 * min(len(text), 65536):
        raise NotAllowed(f"The file is not a document we accept. Upload a {ALLOWED_LABELS} file.")
    return CSV if name.lower().endswith(".csv") else TEXT


def detect(data: bytes, name: str) -> FileType:
    """The type of *data*, from its content. The name only chooses between CSV and plain text.

    :raises NotAllowed: for anything not on the allow-list.
    """
    if not data:
        raise NotAllowed("The selected file is empty.")
    head = data[:16]
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(head, data)
    if head.startswith((b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")):
        raise NotAllowed("The file is a program, not a document. Programs are never accepted.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise NotAllowed("Old Word and Excel formats (.doc, .xls) are not accepted: save it as DOCX, XLSX or PDF.")
    return _text_kind(data, name)
