"""The compiled Qt resources (icons, style sheets) and the step that keeps them current.

``resources.qrc`` lists the files under ``assets/``; ``pyside6-rcc`` compiles it to
``resources_rc.py`` (git-ignored).  The compile runs only when the .qrc or one of
its files is newer than the output, and writes to a temporary file that replaces
the output in one step, so a half-written module is never imported.
"""

from __future__ import annotations

import importlib
import logging
import re
import shutil
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent.parent
QRC = ROOT / "resources.qrc"
OUTPUT = Path(__file__).resolve().parent / "resources_rc.py"


class ResourceError(RuntimeError):
    """The resources could not be compiled: a packaging fault, not something a user causes."""


def listed_files(qrc: Path = QRC) -> list[Path]:
    """The files a .qrc lists, relative to the .qrc's folder."""
    names = re.findall(r"<file[^>]*>([^<]+)</file>", qrc.read_text(encoding="utf-8"))
    return [qrc.parent / name.strip() for name in names]


def is_stale(qrc: Path = QRC, output: Path = OUTPUT) -> bool:
    """True when the output is missing or older than the .qrc or any file it lists."""
    if not output.exists():
        return True
    built = output.stat().st_mtime
    return any(p.stat().st_mtime > built for p in [qrc, *listed_files(qrc)] if p.exists())


def _rcc_command() -> list[str]:
    beside = Path(sys.executable).with_name("pyside6-rcc")
    found = str(beside) if beside.exists() else shutil.which("pyside6-rcc")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from PySide6.scripts.pyside_tool import rcc; sys.exit(rcc())"]


def compile_resources(qrc: Path = QRC, output: Path = OUTPUT, force: bool = False) -> bool:
    """Compile ``qrc`` into ``output`` if it is stale; return True when it compiled."""
    if not qrc.exists():
        if output.exists():
            return False  # an installed copy ships the compiled module without the sources
        raise ResourceError(f"neither {qrc} nor {output} exists")
    if not force and not is_stale(qrc, output):
        return False
    tmp = output.with_name(output.name + ".tmp")
    result = subprocess.run(
        [*_rcc_command(), "-g", "python", str(qrc), "-o", str(tmp)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not tmp.exists():
        tmp.unlink(missing_ok=True)
        raise ResourceError(f"pyside6-rcc failed on {qrc}: {result.stderr.strip()}")
    tmp.replace(output)
    log.info("compiled %s into %s", qrc, output)
    return True


def load() -> None:
    """Compile if needed, then register the resources with Qt (":/icons/...", ":/style/...")."""
    compile_resources()
    module = "companion.ui.resources_rc"
    if module in sys.modules:
        importlib.reload(sys.modules[module])
    else:
        importlib.import_module(module)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    print("compiled" if compile_resources(force="--force" in sys.argv) else "up to date")
