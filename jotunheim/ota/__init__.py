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


def has_state(root="/") -> bool:
    """True when an update was ever installed under ``root`` (one ``stat``, no import)."""
    import os

    try:
        os.stat(root.rstrip("/") + "/" + STATE_FILE)
    except OSError:
        return False
    return True


def confirm(root="/"):
    """Mark the running (trial) version healthy; it will not be rolled back."""
    from jotunheim.ota.installer import Installer

    return Installer(root).confirm()


def rollback(root="/"):
    """Put the previous version back now (manual rollback)."""
    from jotunheim.ota.installer import Installer

    return Installer(root).rollback()


def status(root="/"):
    """The OTA state as a dict (version, previous, trial, boots, ...)."""
    from jotunheim.ota.installer import Installer

    return Installer(root).status()
