"""The package's layout: three parts whose imports run one way (an import contract), no module
named after a standard-library module, Hydra's internals reached from one adapter only, and docs
whose links resolve."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sim"


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_import_contract_holds():
    """sim.core imports nothing of sim.experiments or sim.commands, and sim.experiments nothing
    of sim.commands (pyproject.toml [tool.importlinter])."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 kept, 0 broken" in done.stdout


def test_no_module_shadows_the_standard_library():
    names = {p.stem for p in _modules()} | {p.name for p in PACKAGE.rglob("*") if p.is_dir()}
    assert not names & set(sys.stdlib_module_names), names & set(sys.stdlib_module_names)


def test_hydra_internals_and_monkeypatches_stay_in_the_adapter():
    adapter = PACKAGE / "commands" / "hydra_adapter.py"
    patch = re.compile(r"^\s*[A-Z]\w*\.\w+\s*=[^=]", re.M)  # a class attribute replaced
    for path in _modules():
        if path == adapter:
            continue
        text = path.read_text(encoding="utf-8")
        assert "hydra._internal" not in text, path
        assert not patch.search(text), (path, patch.search(text).group(0))


def _anchor(heading: str) -> str:
    """The anchor a Markdown renderer gives a heading (GitHub's rule)."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_model_md_contents_link_to_its_sections():
    text = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    anchors = {_anchor(h) for h in re.findall(r"^#{2,4} (.+)$", text, re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", text)
    sections = re.findall(r"^#{2,3} (.+)$", text, re.M)
    assert len(links) >= len(sections), "every section of levels 2 and 3 is in the contents"
    assert set(links) <= anchors, set(links) - anchors


def test_readme_is_short_and_its_links_resolve():
    readme = ROOT / "README.md"
    assert readme.stat().st_size <= 10_000
    for doc in (readme, ROOT / "docs" / "running.md", ROOT / "docs" / "MODEL.md"):
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc.read_text(encoding="utf-8")):
            assert (doc.parent / target).exists(), (doc.name, target)
