# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A reboot of the Device: the reboot command and an installed update (once the answer
is out), a soft restart in place on CPython (loaded by the first reboot asked for)."""


def reboot(device):
    """Restart the board (``device``'s ``reboot`` argument when given; on CPython, restart
    the Device in place with :func:`soft_restart`)."""
    device.reboots += 1
    if device.reboot_fn is not None:
        return device.reboot_fn()
    from jotunheim.compat import IS_CPYTHON

    if IS_CPYTHON:  # Blinka's microcontroller on a PC has no reset
        return soft_restart(device)
    import microcontroller

    microcontroller.reset()
    return None


def reboot_later(device):
    """Reboot ``device`` once the answer being served is out (the handler's deferred work)."""
    device.handler.defer(lambda: reboot(device))


def soft_restart(device):
    """Re-read settings, restart ``device``'s server on the same port, re-announce to Loki
    (a reboot on CPython, where Blinka's microcontroller has no reset)."""
    from jotunheim.compat import run_and_forget

    run_and_forget("jotunheim.device.setup", "stop_server", device)
    if device.loader is not None:
        device.loader.reload()
    device.running = False
    device.network_joins = -1
    device.health_checked = False
    if device.loki_link is not None:
        from jotunheim.loki import link

        device.loki_link.close()
        link.use_loki(device, device.loki_link.url)
    device.start()
