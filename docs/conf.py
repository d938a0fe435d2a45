# Sphinx configuration for the Jotunheim docs (`sphinx-build docs docs/_build`).
import os
import sys

sys.path.insert(0, os.path.abspath(".."))

project = "Jotunheim"
author = "Jotunheim developers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
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
exclude_patterns = ["_build"]
html_theme = "alabaster"
