"""Light and dark looks: the Fusion style, a matching palette and the compiled style sheet."""

from __future__ import annotations

from PySide6.QtCore import QFile, QIODevice, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("auto", "light", "dark")


def is_dark(theme: str) -> bool:
    if theme in ("light", "dark"):
        return theme == "dark"
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def style_sheet(dark: bool) -> str:
    qss = QFile(f":/style/{'dark' if dark else 'light'}.qss")
    if not qss.open(QIODevice.OpenModeFlag.ReadOnly | QIODevice.OpenModeFlag.Text):
        return ""
    try:
        return bytes(qss.readAll().data()).decode("utf-8")
    finally:
        qss.close()


def palette(dark: bool) -> QPalette:
    p = QPalette()
    colours = (
        {"window": "#111827", "base": "#1f2937", "text": "#f3f4f6", "button": "#374151", "hl": "#2563eb"}
        if dark
        else {"window": "#f6f7f9", "base": "#ffffff", "text": "#111827", "button": "#e5e7eb", "hl": "#2563eb"}
    )
    role = QPalette.ColorRole
    for r in (role.Window, role.AlternateBase, role.ToolTipBase):
        p.setColor(r, QColor(colours["window"]))
    p.setColor(role.Base, QColor(colours["base"]))
    p.setColor(role.Button, QColor(colours["button"]))
    for r in (role.WindowText, role.Text, role.ButtonText, role.ToolTipText):
        p.setColor(r, QColor(colours["text"]))
    p.setColor(role.Highlight, QColor(colours["hl"]))
    p.setColor(role.HighlightedText, QColor("#ffffff"))
    p.setColor(role.PlaceholderText, QColor("#9ca3af"))
    return p


def apply_theme(app: QApplication, theme: str) -> bool:
    """Apply ``auto``, ``light`` or ``dark``; return whether the result is dark."""
    dark = is_dark(theme)
    app.setStyle("Fusion")
    app.setPalette(palette(dark))
    app.setStyleSheet(style_sheet(dark))
    return dark
