"""resources.qrc is compiled when, and only when, it or an asset changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QFile

from companion.ui import resources


def _qrc(tmp_path: Path) -> tuple[Path, Path, Path]:
    icon = tmp_path / "dot.svg"
    icon.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    qrc = tmp_path / "test.qrc"
    qrc.write_text('<RCC><qresource prefix="/t"><file>dot.svg</file></qresource></RCC>')
    return qrc, icon, tmp_path / "test_rc.py"


def test_compiles_only_when_the_qrc_or_an_asset_is_newer(tmp_path: Path) -> None:
    qrc, icon, out = _qrc(tmp_path)
    assert resources.listed_files(qrc) == [icon]
    assert resources.compile_resources(qrc, out) is True
    assert "qt_resource_data" in out.read_text()
    assert resources.compile_resources(qrc, out) is False, "up to date: nothing to do"
    built = out.stat().st_mtime
    os.utime(icon, (built + 10, built + 10))
    assert resources.is_stale(qrc, out)
    assert resources.compile_resources(qrc, out) is True
    assert not out.with_name(out.name + ".tmp").exists()


def test_a_failed_compile_leaves_the_previous_output(tmp_path: Path) -> None:
    qrc, _icon, out = _qrc(tmp_path)
    resources.compile_resources(qrc, out)
    before = out.read_text()
    qrc.write_text('<RCC><qresource prefix="/t"><file>missing.svg</file></qresource></RCC>')
    with pytest.raises(resources.ResourceError, match="pyside6-rcc failed"):
        resources.compile_resources(qrc, out, force=True)
    assert out.read_text() == before


def test_the_project_resources_hold_every_icon_and_both_styles(ui_resources: None) -> None:
    assert not resources.is_stale()
    listed = {p.name for p in resources.listed_files()}
    on_disk = {p.name for p in (resources.ROOT / "assets" / "icons").glob("*.svg")}
    assert on_disk <= listed, "every icon in assets/icons is listed in resources.qrc"
    for name in ("icons/start.svg", "icons/tick.svg", "style/light.qss", "style/dark.qss"):
        assert QFile.exists(f":/{name}"), name
