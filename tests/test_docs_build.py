# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The Sphinx docs build with every warning an error (``sphinx-build -W -b html``), and the
configuration reference is generated from the settings schema, so it cannot drift."""

import importlib.util
import os
import re
import subprocess
import sys

import pytest

from jotunheim.settings import schema
from tests.tools import require_tool

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(REPO, "docs")
BUILD_TIMEOUT_S = 300  # a full build with autodoc of the library takes ~15 s here

# Found, not imported: Blinka's analogio leaves AnalogIn out when "sphinx" is in
# sys.modules, which would break every later test that makes an analog input.
HAVE_SPHINX = all(importlib.util.find_spec(name) for name in ("sphinx", "myst_parser"))


def sphinx_build(source, out, *extra):
    """Run ``sphinx-build -W --keep-going -b html source out``; the CompletedProcess."""
    env = dict(os.environ, PYTHONPATH=REPO, BLINKA_OS_AGNOSTIC="1")
    return subprocess.run(  # noqa: PLW1510 - the return code is asserted by the callers
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
        + list(extra)
        + [str(source), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    require_tool("sphinx", "builds the docs (docs/requirements.txt)", HAVE_SPHINX)
    out = tmp_path_factory.mktemp("html")
    done = sphinx_build(DOCS, out)
    assert done.returncode == 0, "sphinx-build -W failed:\n" + done.stdout + done.stderr
    return out


def test_docs_build_without_warnings(built):
    for page in ("index", "getting-started-host", "configuration", "wire-contract", "api"):
        assert (built / (page + ".html")).is_file(), page


def test_configuration_reference_lists_every_schema_key(built):
    html = (built / "configuration.html").read_text(encoding="utf-8")
    for path, *_ in schema.rows():
        assert ">%s<" % path in html, path
    for key in schema.TOML_KEYS:
        assert ">%s<" % key in html, key
    # A value that only the schema knows (not the meanings file) shows up in the table.
    row = re.search(r"remote\.max_request_bytes</span></code></p></td>\s*<td><p>(.*?)</td>", html)
    assert row is not None and row.group(1).startswith("int")
    assert "256..65536" in html


def test_api_reference_documents_the_public_classes(built):
    html = (built / "api.html").read_text(encoding="utf-8")
    for name in ("jotunheim.device.core.Device", "jotunheim.loki.client.LokiClient",
                 "jotunheim.grpc.client.GrpcWebClient", "jotunheim.settings.loader.SettingsLoader"):  # fmt: skip
        assert 'id="%s"' % name in html, name


def minimal_project(src, settings_md):
    """A Sphinx project in ``src``: the configuration page using the settings extension,
    and ``settings_md`` as its docs/settings.md."""
    src.mkdir()
    (src / "conf.py").write_text(
        "import sys\nsys.path.insert(0, %r)\nextensions = ['myst_parser', 'settings_reference']\n"
        "suppress_warnings = ['myst.xref_missing', 'toc.not_included']\n"
        % os.path.join(DOCS, "_ext")
    )
    (src / "index.md").write_text(
        "# Settings\n\n```{settings-json-reference}\n```\n\n```{settings-toml-reference}\n```\n"
    )
    (src / "settings.md").write_text(settings_md)
    return src


def test_settings_md_must_agree_with_the_schema(tmp_path):
    require_tool("sphinx", "builds the docs (docs/requirements.txt)", HAVE_SPHINX)
    with open(os.path.join(DOCS, "settings.md"), encoding="utf-8") as handle:
        full = handle.read()
    lines = full.split("\n")
    broken = [line for line in lines if not line.startswith("| `remote.listen_port` ")]
    broken.append("| `remote.no_such_key` | int | `1` | 0..9 | a key the schema does not have |")
    text = (
        "\n".join(broken)
        .replace(
            "| `network.resilience.retries` | int | `3` |",
            "| `network.resilience.retries` | int | `4` |",
        )
        .replace(
            "| `remote.max_connections` | int | `4` | 1..16 |",
            "| `remote.max_connections` | int | `4` | 1..8 |",
        )
    )
    assert text.count("`4` |") >= 2  # both edits applied
    done = sphinx_build(minimal_project(tmp_path / "broken", text), tmp_path / "broken-out")
    assert done.returncode != 0
    for message in (
        "settings key remote.listen_port has no row in the tables of docs/settings.md",
        "describes remote.no_such_key, which the settings schema does not have",
        "network.resilience.retries: default `4`, the schema says 3",
        "remote.max_connections: limits '1..8' lack 16 from the schema",
    ):
        assert message in done.stderr, message
    whole = minimal_project(tmp_path / "whole", full)  # the same project with the real page
    done = sphinx_build(whole, tmp_path / "whole-out")
    assert done.returncode == 0, done.stderr
