# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The Device's OTA wiring: its OtaAgent, the task that steps it and the confirmation of
a trial boot (loaded only with OTA configured, a check asked for, or an update installed)."""

from jotunheim.resources import LOW, SYSTEM


def make_agent(device):
    """An OtaAgent for ``device`` (public attributes only)."""
    from jotunheim.device import reboot
    from jotunheim.ota.agent import OtaAgent

    return OtaAgent(
        device.root,
        device.settings,
        keys=device.ota_keys,
        board_id=lambda: device.builder.detect()["board_id"],
        reboot=lambda: reboot.reboot_later(device),
        check=device.ota_check_fn,
        logger=device.logger,
        clock=device.clock,
        resources=device.resources,
    )


def start(device):
    """Give ``device`` an OtaAgent and step it every 5 s. OTA checks and downloads are
    optional work: they wait while heap is under the warning line, and while the
    bandwidth budget of this window is spent."""
    device.ota = make_agent(device)
    resources = device.resources

    def step():
        if resources.memory.shed() or not resources.bandwidth.allow("ota", 0, LOW):
            return False
        return device.ota.step()

    device.scheduler.every("ota", 5.0, step, priority=SYSTEM)


def ota_check(device, params=None):
    """``device.ota.check(params)``, the agent made first if there is none."""
    if device.ota is None:
        device.ota = make_agent(device)
    return device.ota.check(params)


def confirm_health(device):
    """Confirm a trial boot of ``device`` (it serves, and reached Loki when it has one);
    a confirmed new version may have changed the capabilities: Loki hears of it."""
    if device.ota is None:
        device.ota = make_agent(device)
    if device.ota.confirm_health() and device.loki_link is not None:
        device.loki_link.changed("ota")
