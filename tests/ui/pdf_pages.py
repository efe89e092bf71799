"""Looking at a PDF in tests: its first page rendered to an image by Qt's own PDF module."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtPdf import QPdfDocument


def render_first_page(pdf: Path, width: int = 827) -> tuple[QImage, int]:
    """(the first page as an image, the number of pages)."""
    doc = QPdfDocument()
    assert doc.load(str(pdf)) == QPdfDocument.Error.None_, f"Qt cannot read {pdf}"
    size = doc.pagePointSize(0)
    rendered = doc.render(0, QSize(width, round(width * size.height() / size.width())))
    # The page is rendered on a transparent background: put it on paper.
    page = QImage(rendered.size(), QImage.Format.Format_RGB32)
    page.fill(QColor("white"))
    painter = QPainter(page)
    painter.drawImage(0, 0, rendered)
    painter.end()
    return page, doc.pageCount()


def ink_fraction(image: QImage) -> float:
    """Share of sampled pixels that are dark: a blank page has none."""
    dark = total = 0
    for y in range(0, image.height(), 4):
        for x in range(0, image.width(), 4):
            total += 1
            if image.pixelColor(x, y).lightness() < 128:
                dark += 1
    return dark / max(1, total)
