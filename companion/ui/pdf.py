"""The scorecard as a PDF, printed by Qt: the HTML laid out by QTextDocument onto a QPdfWriter.

``render_pdf`` is also what ``call-companion export --format pdf`` calls; the
command line has no window, so a GUI application is made for the layout (on
the offscreen platform when there is no display).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from companion.errors import StoreError

RESOLUTION_DPI = 300
MARGIN_MM = 15.0


def _ensure_gui_application() -> None:
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is not None:
        return
    headless = sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Kept on the module: the application must outlive this call.  A full QApplication,
    # not a QGuiApplication: a window opened later in the same process needs widgets.
    from PySide6.QtWidgets import QApplication

    global _app
    _app = QApplication(sys.argv[:1])


_app = None


def render_pdf(html: str, out: Path) -> None:
    """Write ``html`` as an A4 PDF to ``out`` (replaced in one step, never left half-written)."""
    _ensure_gui_application()
    from PySide6.QtCore import QMarginsF, QSizeF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    try:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(RESOLUTION_DPI)
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        writer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter)
        writer.setTitle("Call scorecard")
        writer.setCreator("Call Companion")
        doc = QTextDocument()
        doc.setHtml(html)
        # Lay the text out at the page's width in points so fonts print at their usual size.
        layout = writer.pageLayout()
        page = layout.paintRect(QPageLayout.Unit.Point)
        doc.setPageSize(QSizeF(page.width(), page.height()))
        doc.print_(writer)
        del writer  # the file is finished when the writer goes away
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise StoreError(f"cannot write {out}: Qt produced no PDF")
        os.replace(tmp, out)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {out}: {exc.strerror or exc}") from exc
    finally:
        tmp.unlink(missing_ok=True)
