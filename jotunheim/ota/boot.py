# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The ``boot.py`` helper: finish or undo an interrupted activation, count trial boots,
roll back a version that never confirms, and own ``storage.remount``.

On a board, ``boot.py`` is two lines::

    import jotunheim.ota.boot
    jotunheim.ota.boot.run(max_trial_boots=3, confirm_window_s=120)

and the app (``code.py``) calls ``jotunheim.ota.confirm()`` once it is healthy (joined
WiFi, reached its server, ...). A version that crashes before confirming is counted on
every boot; after ``max_trial_boots`` boots without a confirm the previous version is put
back. Use ``guard("app")`` in ``code.py`` so a crash during a trial resets the board (a
CircuitPython exception otherwise just stops at the REPL prompt and never reboots).

CIRCUITPY is remounted writable for code only when the OTA needs it: a journal to
finish, a trial in progress (``confirm()`` must write), or an update session requested
with ``request_update_session()``. Otherwise USB keeps the drive.
"""

from jotunheim.ota.installer import Installer

NVM_FLAG_INDEX = -1  # last byte of microcontroller.nvm: "remount writable for an update"
_UPDATE_SESSION = 0x4F  # "O"


def _on_board(root):
    import sys

    return sys.implementation.name == "circuitpython" and root == "/"


def _nvm_flag(clear=False):
    try:
        import microcontroller

        nvm = microcontroller.nvm
        if nvm is None:
            return False
        flag = nvm[NVM_FLAG_INDEX] == _UPDATE_SESSION
        if flag and clear:
            nvm[NVM_FLAG_INDEX] = 0
        return flag
    except (ImportError, AttributeError, IndexError, TypeError):
        return False


def request_update_session():
    """From code.py: reboot with CIRCUITPY writable for code, to download an update."""
    import microcontroller

    microcontroller.nvm[NVM_FLAG_INDEX] = _UPDATE_SESSION
    microcontroller.reset()


def run(root="/", max_trial_boots=3, confirm_window_s=120, on_activated=None, remount=None):
    """Call once from boot.py. Returns a dict describing what happened.

    ``on_activated(state)`` runs when a new version (or a rollback) is in place and not yet
    acknowledged, so the device can re-announce its capabilities; the same is visible as
    ``status()["announce"]`` (cleared by ``confirm()``). ``root`` becomes the default root
    of ``jotunheim.ota.confirm()`` in this interpreter (an app run after it, on a host).
    """
    from jotunheim.ota import use_root

    use_root(root)
    inst = Installer(root)
    state = inst.state
    journal_pending = inst.pending_journal()
    wanted = _nvm_flag(clear=True) if _on_board(root) else False
    writable = journal_pending or state["trial"] or wanted
    if remount is None:
        remount = _on_board(root)
    if remount and writable:
        import storage

        storage.remount("/", readonly=False)
    result = {"recovered": None, "action": None, "writable": bool(writable)}
    if journal_pending:
        result["recovered"] = inst.recover()
    result["action"] = inst.count_boot(max_trial_boots)
    state = inst.set_confirm_window(confirm_window_s)
    result["state"] = state
    if state["announce"] and on_activated is not None:
        on_activated(state)
    return result


class TrialFailed(Exception):
    """The trial version did not confirm in time (raised where a board would reset)."""


def enforce_window(elapsed_s, root="/"):
    """Call from the app loop: a trial not confirmed within its window ends this boot.

    On a board the MCU resets (the next boot counts against the trial); elsewhere
    ``TrialFailed`` is raised. Returns seconds left (None when not on trial).
    """
    state = Installer(root).state
    if not state["trial"]:
        return None
    window = state.get("confirm_window_s") or 0
    if window and elapsed_s > window:
        if _on_board(root):
            import microcontroller

            microcontroller.reset()
        raise TrialFailed("version %s not confirmed within %ds" % (state["version"], window))
    return window - elapsed_s if window else None


def guard(module_name, root="/"):
    """Import and run ``module_name`` (its ``main()`` if it has one); during a trial, a
    crash resets the board so the trial counter sees it."""
    try:
        module = __import__(module_name)
        main = getattr(module, "main", None)
        if main is not None:
            main()
    except Exception:
        if Installer(root).state["trial"] and _on_board(root):
            import microcontroller

            microcontroller.reset()
        raise
