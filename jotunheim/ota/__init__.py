# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Over-the-air updates: signed manifests, streaming verification, journaled activation,
trial boot and rollback.

Submodules are imported lazily so a board pays RAM only for what it uses:

* ``jotunheim.ota.manifest``  - manifest parsing and verification (Ed25519 + policy)
* ``jotunheim.ota.fetcher``   - manifest-first download, streaming SHA-256, HTTP Range resume
* ``jotunheim.ota.installer`` - staging and the power-loss-safe journaled swap
* ``jotunheim.ota.boot``      - the ``boot.py`` helper: finish/undo, trial boots, rollback
* ``jotunheim.ota.ed25519`` / ``jotunheim.ota.sha512`` - the crypto, pure Python

``confirm()``, ``rollback()`` and ``status()`` are the calls an application needs.
"""

__repo__ = "https://github.com/edda-platform/jotunheim.git"


STATE_FILE = ".ota/state.json"  # written by the installer once an update was installed

# The root confirm()/rollback()/status() use when given none: "/" on a board; a host
# runner (`jotunheim ota boot --run`) points it at the folder playing CIRCUITPY.
_root = ["/"]


def use_root(root) -> None:
    """Make ``root`` the default of :func:`confirm`, :func:`rollback` and :func:`status`
    (``jotunheim.ota.boot.run`` calls it with its own root).

    :param root: the folder playing CIRCUITPY
    """
    _root[0] = root


def current_root() -> str:
    """The root :func:`confirm` uses when given none (``"/"`` unless :func:`use_root`)."""
    return _root[0]


def has_state(root="/") -> bool:
    """True when an update was ever installed under ``root`` (one ``stat``, no import)."""
    import os

    try:
        os.stat(root.rstrip("/") + "/" + STATE_FILE)
    except OSError:
        return False
    return True


def confirm(root=None):
    """Mark the running (trial) version healthy; it will not be rolled back. Prints one
    line when it ended a trial. Returns True if a version was on trial.

    :param root: the CIRCUITPY root (default :func:`current_root`)
    """
    from jotunheim.ota.installer import Installer

    root = _root[0] if root is None else root
    installer = Installer(root)
    confirmed = installer.confirm()
    if confirmed:
        print("OTA: version %s confirmed healthy (root %s)" % (installer.state["version"], root))
    return confirmed


def rollback(root=None):
    """Put the previous version back now (manual rollback).

    :param root: the CIRCUITPY root (default :func:`current_root`)
    """
    from jotunheim.ota.installer import Installer

    return Installer(_root[0] if root is None else root).rollback()


def status(root=None):
    """The OTA state as a dict (version, previous, trial, boots, ...).

    :param root: the CIRCUITPY root (default :func:`current_root`)
    """
    from jotunheim.ota.installer import Installer

    return Installer(_root[0] if root is None else root).status()
