"""Sphinx configuration for the detente documentation (MyST Markdown)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

import detente  # noqa: E402

project = "detente"
author = "The detente developers"
release = detente.__version__
extensions = ["myst_parser", "case_reference"]
myst_enable_extensions = ["colon_fence", "deflist"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path: list[str] = []
suppress_warnings = ["myst.header"]
