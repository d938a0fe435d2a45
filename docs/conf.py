# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# Sphinx configuration for the Jotunheim docs: `sphinx-build -W -b html docs OUT`
# (tests/test_docs_build.py runs exactly that). Pages are Markdown, read by myst-parser.
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the library, for autodoc and the schema
sys.path.insert(0, os.path.join(HERE, "_ext"))
# Blinka's desktop stand-in board, so `board` imports on a machine without GPIO.
os.environ.setdefault("BLINKA_OS_AGNOSTIC", "1")

project = "Jotunheim"
author = "Jotunheim contributors"
copyright = "2026, Jotunheim contributors"
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "myst_parser",
    "settings_reference",  # docs/_ext: the configuration reference from the schema
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
# Headings get anchors, so pages can link to `page.md#a-section`.
myst_heading_anchors = 3
# Board-only modules are not on a desktop: autodoc imports the library with them mocked.
autodoc_mock_imports = [
    "wifi",
    "socketpool",
    "microcontroller",
    "supervisor",
    "storage",
    "board",
    "digitalio",
    "analogio",
    "pwmio",
    "neopixel",
]
exclude_patterns = ["_build", "_ext", "README.md"]
html_theme = "alabaster"
