# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""OtaAgent: a device's own over-the-air updates (check, install, confirm a trial boot).

The Device builds one only when OTA is enabled, a check function is given, or a trial
boot waits for confirmation; a device without OTA never imports this module.
"""

from jotunheim.ota.installer import Installer

FIRST_CHECK_DELAY = 60.0  # seconds after boot: not in the middle of joining


class OtaAgent:
    """Checks for signed updates, installs them, and confirms a healthy trial boot.

    :param root: the CIRCUITPY root the updates apply to
    :param settings: the device's Settings (``ota.*``)
    :param keys: trusted Ed25519 public keys
    :param board_id: callable returning this board's id (manifests name their boards)
    :param reboot: called (deferred until the answer is out) after an install
    :param check: a callable(params) -> dict replacing the built-in check (tests, hosts)
    :param logger: a jotunheim.log logger
    :param clock: seconds, monotonic
    :param resources: the device's ResourceMonitor (downloads use its buffer pool and are
        counted under ``ota``), or None
    """

    def __init__(
        self,
        root,
        settings,
        *,
        keys=None,
        board_id=None,
        reboot=None,
        check=None,
        logger=None,
        clock=None,
        resources=None,
    ) -> None:
        self.resources = resources  # a ResourceMonitor: pooled download buffer, byte counts
        self.root = root
        self.settings = settings
        self.keys = keys
        self.board_id = board_id
        self.reboot = reboot
        self.check_fn = check
        self.logger = logger
        self.clock = clock
        self.last = None  # the last check's result (GetDeviceStatus shows it)
        self.next_check = clock() + FIRST_CHECK_DELAY

    def step(self) -> bool:
        """Check (and install) when due; True when it did network work."""
        if not self.settings.get("ota.enabled") or self.clock() < self.next_check:
            return False
        self.next_check = self.clock() + self.settings.get("ota.check_interval")
        try:
            self.last = self.check({"install": True})
        except Exception as exc:  # noqa: BLE001 - logged, retried next interval
            self.last = {"error": "%s: %s" % (type(exc).__name__, exc)}
            if self.logger is not None:
                self.logger.error("OTA check failed: %s" % self.last["error"])
        return True

    def check(self, params=None) -> dict:
        """Look for an update; ``{"install": true}`` also installs it and reboots."""
        params = params or {}
        if self.check_fn is not None:
            self.last = self.check_fn(params)
            return self.last
        url = self.settings.get("ota.manifest_url")
        if not url:
            raise ValueError("OTA is not configured: set ota.manifest_url in jotunheim.json")
        if not self.keys:
            raise ValueError("no OTA public key: pass ota_keys=[...] to Device")
        from jotunheim.ota import errors
        from jotunheim.ota.fetcher import Fetcher

        board = self.board_id() if self.board_id is not None else None
        resources = self.resources
        fetcher = Fetcher(
            url,
            self.keys,
            root=self.root,
            board_id=board or None,
            # Read at check time from the device's own settings: an update cannot grant it.
            allow_boot_py=self.settings.get("ota.allow_boot_py"),
            buffers=resources.buffers if resources is not None else None,
            meter=resources.bandwidth if resources is not None else None,
        )
        try:
            return self._check_with(fetcher, params, errors)
        finally:
            fetcher.close()  # its pooled buffer goes back

    def _check_with(self, fetcher, params, errors) -> dict:
        installed = fetcher.installer.state["version"]
        try:
            manifest = fetcher.check()
        except errors.NotNewer:
            self.last = {"update": False, "installed": installed}
            return self.last
        out = {"update": True, "installed": installed, "available": manifest.version}
        if params.get("install"):
            fetcher.download(manifest)
            fetcher.installer.activate(manifest)
            out["installed"] = manifest.version
            if self.reboot is not None:
                self.reboot()
                out["rebooting"] = True
        self.last = out
        return out

    def confirm_health(self) -> bool:
        """Confirm a trial boot (the device works); True if a new version was confirmed."""
        try:
            installer = Installer(self.root)
            state = installer.state
            if not (state.get("trial") or state.get("announce")):
                return False
            installer.confirm()
        except Exception as exc:  # noqa: BLE001 - a failed confirm is retried next boot
            if self.logger is not None:
                self.logger.error("OTA confirm failed: %s: %s" % (type(exc).__name__, exc))
            return False
        if self.logger is not None:
            self.logger.info("OTA: running version confirmed healthy")
        return True
