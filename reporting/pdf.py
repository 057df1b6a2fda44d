"""HTML → PDF rendering. The only module of the project that imports WeasyPrint.

Why a custom URL fetcher (see docs: reliability test plan §1.9, CVE-2025-68616,
GHSA-35jj-wx47-4w8r): WeasyPrint's default fetcher follows every URL in the
document: ``file://`` (it will happily embed ``/etc/passwd`` as an attachment),
``http://127.0.0.1:…`` (SSRF from the worker) and redirects. Report templates
will carry user-entered text, so the fetcher here is deny-by-default: it serves
only regular files that, after ``Path.resolve()`` (no ``..`` or symlink escape),
lie inside the project's static directories, and it never opens a network
connection. Everything else is refused and logged on ``reporting.pdf``.

Why this ``base_url``: templates link their stylesheet and fonts relatively
(``reporting/pdf.css``, ``fonts/…``), so the base is the ``file://`` URL of the
project static directory (``STATICFILES_DIRS[0]``), ending in ``/`` so relative
URLs resolve inside it. Fonts come from ``static/fonts`` via ``@font-face``, so
the PDF does not depend on which font packages the machine has.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger("reporting.pdf")


def _static_dirs() -> list[Path]:
    """Resolved static directories the renderer may read from."""
    candidates: list[Path] = []
    for entry in getattr(settings, "STATICFILES_DIRS", ()):
        # An entry is a path or a (prefix, path) pair.
        path = entry[1] if isinstance(entry, (tuple, list)) else entry
        candidates.append(Path(path))
    static_root = getattr(settings, "STATIC_ROOT", None)
    if static_root and Path(static_root).is_dir():
        candidates.append(Path(static_root))
    base_dir = Path(settings.BASE_DIR).resolve()
    roots: list[Path] = []
    for candidate in candidates:
        root = candidate.resolve()
        # A misconfigured root such as "/" or the project itself would expose
        # source code and secrets: never allow a directory containing BASE_DIR.
        if base_dir.is_relative_to(root):
            logger.warning(
                "Ignoring static directory %s: it contains the project", root
            )
            continue
        roots.append(root)
    return roots


def static_base_url() -> str:
    """``file://`` URL of the project static directory, ending in ``/``."""
    first = settings.STATICFILES_DIRS[0]
    path = first[1] if isinstance(first, (tuple, list)) else first
    return Path(path).resolve().as_uri() + "/"


class StaticOnlyURLFetcher(URLFetcher):
    """Serves files inside the static directories; refuses every other URL."""

    def __init__(self, **kwargs):
        # Belt and braces: even the parent machinery would only know "file"
        # and follow no redirect. ``fetch`` below never calls the parent.
        kwargs.setdefault("allowed_protocols", {"file"})
        kwargs.setdefault("allow_redirects", False)
        super().__init__(**kwargs)
        self.roots = _static_dirs()

    def fetch(self, url, headers=None):
        path = self._allowed_path(url)
        if path is None:
            logger.warning("Refused URL in PDF rendering: %.200r", url)
            raise ValueError(f"URL not allowed in PDF rendering: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url=path.as_uri(),
            body=path.read_bytes(),
            headers={"Content-Type": content_type},
        )

    def _allowed_path(self, url: str) -> Path | None:
        try:
            parts = urlsplit(url)
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                return None
            # url2pathname also %-decodes; resolve() removes '..' and symlinks.
            path = Path(url2pathname(parts.path)).resolve(strict=True)
        except (ValueError, OSError, RuntimeError):  # RuntimeError: symlink loop
            return None
        if not path.is_file():
            return None
        if any(path.is_relative_to(root) for root in self.roots):
            return path
        return None


def render_pdf(html: str, *, archival: bool = False) -> bytes:
    """Render an HTML document (already escaped by the template engine) to PDF.

    The metadata come from the document's head: ``<title>``, ``<meta
    name="author">``, ``<meta name="description">`` (the subject),
    ``<meta name="keywords">`` and ``<html lang>``. ``archival`` gives the
    PDF/A-3b variant (fonts embedded, XMP metadata, an sRGB output intent).
    Identifiers and dates that WeasyPrint would take from the clock are fixed
    so that the same HTML gives the same bytes.
    """
    document = HTML(
        string=html,
        base_url=static_base_url(),
        url_fetcher=StaticOnlyURLFetcher(),
    )
    options = {"pdf_variant": "pdf/a-3b"} if archival else {}
    return document.write_pdf(uncompressed_pdf=False, **options)
