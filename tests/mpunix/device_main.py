# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A Jotunheim Device under the MicroPython Unix port (run by tests/mpunix/runner.py).

    micropython -X heapsize=N device_main.py CONFIG.json

CONFIG holds ``host``, ``port``, ``root`` (the folder playing CIRCUITPY), ``token``,
``owner_token``, ``auth_mode``, ``open_access`` (see docs/security.md),
``loki_url``, ``script_prefix`` and ``idle_ms``. The Device gets the simulator's parts (climate sensor, button,
LED, relay), joins the fake radio, listens, and prints one JSON line
``{"ready": true, "port": N, ...}``. Then it runs ``step()`` until stdin closes or reads
``stop``; ``mem`` on stdin prints the heap after a collection, ``stats`` the server
counters, ``state`` the Loki link (``loki_state``, ``loki_error``) and ``status()``. Every answer is one JSON line on stdout.
"""

import gc
import json
import select
import sys

import _mpunix_boot  # noqa: F401  (ConnectionError, TimeoutError: before jotunheim)


def _config():
    with open(sys.argv[1]) as f:
        return json.loads(f.read())


def _device(cfg):
    import socketpool
    import wifi

    from jotunheim.capability.drivers.simulated import (
        SimulatedButton,
        SimulatedClimateSensor,
        SimulatedLed,
        SimulatedRelay,
    )
    from jotunheim.device import Device

    device = Device(
        cfg.get("name", "mpunix-device"),
        root=cfg["root"],
        token=cfg.get("token", ""),
        owner_token=cfg.get("owner_token", ""),
        auth_mode=cfg.get("auth_mode"),
        open_access=cfg.get("open_access"),
        loki_url=cfg.get("loki_url", ""),
        host=cfg.get("host", "127.0.0.1"),
        port=cfg["port"],
        pool=socketpool.SocketPool(wifi.radio),
        script_prefix=cfg.get("script_prefix", ""),
    )
    device.add_sensor("climate", SimulatedClimateSensor(seed=1))
    device.add_sensor("button", SimulatedButton(seed=1))
    device.add_actuator("status", SimulatedLed(pwm=True))
    device.add_actuator("pump", SimulatedRelay())
    return device


def _heap():
    gc.collect()
    return {"mem_alloc": gc.mem_alloc(), "mem_free": gc.mem_free()}


def _say(obj):
    sys.stdout.write(json.dumps(obj) + "\n")


def _loki_error(device):
    # Device.loki_error before the loki/ package, Device.loki_link.error after it.
    link = getattr(device, "loki_link", None)
    if link is not None:
        return getattr(link, "error", None)
    return getattr(device, "loki_error", None)


def _command(line, device):
    # True when the runner asked us to stop.
    word = line.strip()
    if word == "mem":
        _say(_heap())
    elif word == "stats":
        server = device.server
        _say({"steps": device.steps, "requests": getattr(server, "requests", None),
              "errors": getattr(server, "errors", None)})  # fmt: skip
    elif word == "state":
        _say({"loki_state": device.loki_state, "loki_error": _loki_error(device),
              "status": device.status(), "address": device.address})  # fmt: skip
    return word == "stop"


def _run(device, idle_ms):
    stdin = select.poll()
    stdin.register(sys.stdin, select.POLLIN)
    while True:
        try:
            served = device.step()
        except MemoryError:
            gc.collect()
            _say({"event": "MemoryError"})
            served = 0
        except Exception as exc:  # noqa: BLE001  (the loop survives, as on a board)
            sys.print_exception(exc)
            served = 0
        # Waiting on stdin is the idle sleep: it returns early only for a command.
        if stdin.poll(0 if served else idle_ms):
            line = sys.stdin.readline()
            if not line or _command(line, device):
                return


def main():
    cfg = _config()
    device = _device(cfg)
    device.start()
    if device.server is None:
        _say({"ready": False, "error": "the device did not start its server"})
        sys.exit(2)
    ready = {"ready": True, "port": device.port, "url": device.url}
    ready.update(_heap())
    _say(ready)
    try:
        _run(device, cfg.get("idle_ms", 2))
    finally:
        device.stop()
    _say({"stopped": True, "steps": device.steps})


main()
