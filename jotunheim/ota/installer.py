# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Staging, journaled activation, rollback, trial state.

Layout under the root (CIRCUITPY on a board, any folder on a desktop)::

    .ota/state.json            installed version, its files, previous version, trial, boots
    .ota/journal.json          present only while an activation or rollback is under way
    .ota/staging/manifest.json (+ .sig) and staging/files/<path>   the downloaded update
    .ota/backup/<path>         the previous version's files (for rollback)
    .ota/discard/<path>        files of a rolled-back version, deleted afterwards

Activation is a list of renames computed up front and written to the journal *before*
the first rename (``journal.write_record``). Renames are atomic, so after a power loss
each one is either done (source gone, destination present) or not; ``recover`` replays
the remaining ones and then commits the new state. The update is therefore always
finished forward (the staged files were verified before the journal was written), and a
rollback is finished the same way. Records carry a SHA-256 so a torn write is detected.
"""

from jotunheim.ota import errors, journal

OTA_DIR = ".ota"
_CHUNK = 1024


def _join(root, rel):
    if not rel:
        return root
    return root + rel if root.endswith("/") else root + "/" + rel


def file_sha256(path, buf=None):
    """Hex SHA-256 and size of a file, read through one reusable buffer."""
    import hashlib

    if buf is None:
        buf = bytearray(_CHUNK)
    view = memoryview(buf)
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while True:
            n = f.readinto(buf)
            if not n:
                break
            h.update(view[:n])
            size += n
    return "".join("%02x" % b for b in h.digest()), size


def _default_state():
    return {
        "version": None,
        "version_name": None,
        "package": None,
        "files": [],
        "previous": None,
        "trial": False,
        "boots": 0,
        "confirmed": True,
        "announce": False,
        "bad_versions": [],
        "last_event": None,
    }


class Installer:
    """The device-side OTA state machine for one root folder."""

    def __init__(self, root="/"):
        self.root = root
        self.ota = _join(root, OTA_DIR)
        self.state_path = self.ota + "/state.json"
        self.journal_path = self.ota + "/journal.json"
        self.staging = self.ota + "/staging"
        self.staged_files = self.staging + "/files"
        self.backup = self.ota + "/backup"
        self.discard = self.ota + "/discard"

    # ----------------------------------------------------------------- state
    @property
    def state(self):
        """The stored OTA state (defaults for missing fields); a fresh dict each time."""
        record = journal.read_record(self.state_path)
        state = _default_state()
        if record:
            state.update(record)
        return state

    def _write_state(self, state):
        journal.makedirs(self.ota)
        journal.write_record(self.state_path, state)

    def status(self):
        """The state plus ``journal`` (pending operation or None) and ``staged``
        (whether a staged manifest exists)."""
        state = self.state
        state["journal"] = (journal.read_record(self.journal_path) or {}).get("op")
        state["staged"] = journal.exists(self.staging + "/manifest.json")
        return state

    def pending_journal(self):
        """True if an interrupted operation left a journal to finish."""
        return journal.read_record(self.journal_path) is not None

    def free_bytes(self):
        """Free space on the root's filesystem (None where statvfs is missing)."""
        import os

        try:
            st = os.statvfs(self.root)
        except (AttributeError, OSError):
            return None
        return (st[1] or st[0]) * st[4]

    # --------------------------------------------------------------- staging
    def staged_path(self, rel):
        """Where the staged copy of ``rel`` lives."""
        return self.staged_files + "/" + rel

    def clear_staging(self):
        """Remove the staging folder and everything in it."""
        journal.rmtree(self.staging)

    def check_staged(self, manifest):
        """Re-hash every staged file against the verified manifest before activation."""
        buf = bytearray(_CHUNK)
        for path, size, digest in manifest.files:
            full = self.staged_path(path)
            have = journal.file_size(full)
            if have != size:
                raise errors.SizeMismatch(
                    "staged %s is %d bytes, manifest says %d" % (path, have, size)
                )
            got, _ = file_sha256(full, buf)
            if got != digest:
                raise errors.HashMismatch("staged %s has SHA-256 %s" % (path, got))

    def check_links(self, manifest):
        """Raise UnsafePath if a path the update would write goes through a symbolic link
        (a link in the root could point anywhere: ``rename`` follows it). FAT has no links,
        so on a board this costs one ``getattr``.

        :param manifest: the verified :class:`~jotunheim.ota.manifest.Manifest`
        """
        rels = [OTA_DIR + "/staging/files", OTA_DIR + "/backup", OTA_DIR + "/discard"]
        for path, _, _ in manifest.files:
            rels.append(path)
            rels.append(OTA_DIR + "/staging/files/" + path)
            rels.append(OTA_DIR + "/backup/" + path)
        for rel in self.state["files"]:
            rels.append(rel)
        for rel in rels:
            link = journal.first_link(self.root, rel)
            if link is not None:
                raise errors.UnsafePath(
                    "%s is a symbolic link: an update never writes through links" % link
                )

    # ------------------------------------------------------------ activation
    def activate(self, manifest):
        """Swap the verified, staged ``manifest`` in; returns the new state."""
        if self.pending_journal():
            self.recover()
        state = self.state
        if state["trial"]:
            raise errors.StateError(
                "version %s is still on trial: confirm or roll it back first" % state["version"]
            )
        if manifest.version in state["bad_versions"]:
            raise errors.KnownBad("version %d was rolled back on this device" % manifest.version)
        self.check_staged(manifest)
        self.check_links(manifest)
        # The current version is confirmed: its predecessor's backup can go. State first,
        # so a crash while deleting never leaves a "previous" pointing at half a backup.
        if state["previous"] is not None:
            state["previous"] = None
            self._write_state(state)
        journal.rmtree(self.backup)
        journal.rmtree(self.discard)
        from jotunheim.ota.paths import is_boot_file

        new_paths = [f[0] for f in manifest.files]
        moves = []
        saved = []
        for rel in sorted(set(state["files"]) | set(new_paths)):
            if is_boot_file(rel) and rel not in new_paths:
                continue  # an update that does not carry boot.py never takes it away
            if journal.exists(_join(self.root, rel)):
                moves.append([rel, OTA_DIR + "/backup/" + rel])
                saved.append(rel)
        for rel in new_paths:
            moves.append([OTA_DIR + "/staging/files/" + rel, rel])
        new_state = dict(state)
        new_state.update(
            {
                "version": manifest.version,
                "version_name": manifest.version_name,
                "package": manifest.package,
                "files": new_paths,
                "previous": {
                    "version": state["version"],
                    "version_name": state["version_name"],
                    "files": saved,
                },
                "trial": True,
                "boots": 0,
                "confirmed": False,
                "announce": True,
                "last_event": "activated",
            }
        )
        record = {"op": "activate", "moves": moves, "state": new_state, "cleanup": "staging"}
        journal.write_record(self.journal_path, record)
        return self._run(record)

    def rollback(self, reason="manual"):
        """Put the previous version back (journaled like an activation)."""
        if self.pending_journal():
            self.recover()
        state = self.state
        prev = state["previous"]
        if prev is None:
            raise errors.StateError("no previous version to roll back to")
        journal.rmtree(self.discard)  # destinations must be free (see _run)
        moves = []
        for rel in state["files"]:
            if journal.exists(_join(self.root, rel)):
                moves.append([rel, OTA_DIR + "/discard/" + rel])
        for rel in prev["files"]:
            moves.append([OTA_DIR + "/backup/" + rel, rel])
        bad = list(state["bad_versions"])
        if state["version"] is not None and state["version"] not in bad:
            bad.append(state["version"])
        new_state = dict(state)
        new_state.update(
            {
                "version": prev["version"],
                "version_name": prev["version_name"],
                "files": prev["files"],
                "previous": None,
                "trial": False,
                "boots": 0,
                "confirmed": True,
                "announce": True,
                "bad_versions": bad,
                "last_event": "rolled_back:%s" % reason,
            }
        )
        record = {"op": "rollback", "moves": moves, "state": new_state, "cleanup": "discard"}
        journal.write_record(self.journal_path, record)
        return self._run(record)

    def recover(self):
        """Finish an interrupted activation/rollback. Returns the op name or None."""
        record = journal.read_record(self.journal_path)
        if record is None:
            return None
        self._run(record)
        return record["op"]

    def _run(self, record):
        # Replayed in order, so when move k is reached moves < k are done. Its
        # destination was free when the plan was made (backup/discard are emptied and
        # replaced files are moved away first), so "destination exists" <=> "done".
        for src, dst in record["moves"]:
            d = _join(self.root, dst)
            if journal.exists(d):
                continue
            s = _join(self.root, src)
            if journal.exists(s):
                journal.rename(s, d)
        journal.sync()
        self._write_state(record["state"])
        journal.delete_record(self.journal_path)
        # Not needed for correctness any more: leftovers are removed again next time.
        journal.rmtree(self.staging if record["cleanup"] == "staging" else self.discard)
        return record["state"]

    # ----------------------------------------------------------------- trial
    def confirm(self):
        """The running version is healthy. Returns True if it was on trial."""
        state = self.state
        if not state["trial"] and not state["announce"]:
            return False
        was_trial = state["trial"]
        state["trial"] = False
        state["confirmed"] = True
        state["announce"] = False
        if was_trial:
            state["last_event"] = "confirmed"
        self._write_state(state)
        return was_trial

    def set_confirm_window(self, seconds):
        """During a trial, record how long the app has to confirm (``boot.run`` does, so
        ``enforce_window`` can read it). Returns the state.

        :param int seconds: the confirm window
        """
        state = self.state
        if state["trial"] and state.get("confirm_window_s") != seconds:
            state["confirm_window_s"] = seconds
            self._write_state(state)
        return state

    def count_boot(self, max_boots):
        """Called once per boot. Returns "rolled_back", "trial" or None."""
        state = self.state
        if not state["trial"]:
            return None
        if state["boots"] >= max_boots:
            self.rollback("%d boots without confirm" % state["boots"])
            return "rolled_back"
        state["boots"] += 1
        self._write_state(state)
        return "trial"
