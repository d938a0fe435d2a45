# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""A simulated Jotunheim device on the host: the real ``jotunheim.Device`` under CPython/Blinka
with simulated parts, so anyone can call a device without hardware.

In-process (tests, the demo)::

    from jotunheim_host.simulate import SimulatedDevice

    with SimulatedDevice(root, host="127.0.0.1", port=0, loki_url=None, token=None) as dev:
        dev.url            # "http://127.0.0.1:54321" — call JotunheimService here
        dev.address        # "127.0.0.1:54321"
        dev.device         # the jotunheim.Device (registry, handler, status_info(), ...)
        dev.led.state()    # the simulated parts: dev.climate, dev.led, dev.relay, dev.button
        dev.button.press()

The Device loop runs in a background thread (``step()`` plus a short sleep when idle) and
stops when the ``with`` block ends (or on ``stop()``). ``root`` is the folder that plays
CIRCUITPY: ``jotunheim.json``, ``settings.toml``, the error ring
(``.jotunheim_errors.json``) and the OTA state (``.ota/``) live there.

Parts (instance names, the tools they give):

- ``climate``: :class:`SimulatedClimateSensor` (DHT22-sim) -> ``read_dht22_sim_temperature``,
  ``read_dht22_sim_humidity`` — a bounded random walk around 21 degC / 45 %;
- ``status``: :class:`SimulatedLed` (LED-sim) -> ``set_led_sim`` (on, brightness 0..1), ``get_led_sim_state``;
- ``pump``: :class:`SimulatedRelay` (Relay-sim) -> ``set_relay_sim``, ``get_relay_sim_state``;
- ``button``: :class:`SimulatedButton` (Button-sim) -> ``read_button_sim_pressed`` and the
  other readings the Button adapter declares.

Arguments: ``token`` / ``owner_token`` — None reads ``JOTUNHEIM_TOKEN`` /
``JOTUNHEIM_OWNER_TOKEN`` from ``root/settings.toml`` (or the environment), ``""`` means
none. ``open_access`` / ``auth_mode`` — override ``remote.open`` / ``remote.auth_mode``
(see docs/security.md). ``loki_url`` — None reads ``network.loki_url`` from the settings, ``""`` means no
Loki. ``settings_file`` — a ``jotunheim.json`` elsewhere than ``root``. ``script_prefix``
— prepended to the Loki script names (Loki's names are global: give each of several
devices its own). ``seed`` — for the simulated values. ``ota_keys`` — trusted Ed25519
public keys (raw bytes) for ``ota_check``. ``parts=False`` starts with no parts.
``reboot`` — what a reboot does (default: restart the Device in place); the demo passes
one that runs ``jotunheim.ota.boot.run`` first, as ``boot.py`` would on a board.

Logging: the Device's messages and the simulator's events (listening address,
registration with Loki and its result, each OTA check, install or refusal, reboots) go to
the Python logger ``jotunheim.sim`` (INFO and up), handed to the Device as its logger.

The command line twin is ``jotunheim simulate --listen HOST:PORT [--loki URL] [--token T]
[--settings FILE] [--root DIR]`` (see ``jotunheim_host/commands/simulate.py``).
"""

import logging
import os
import socket
import threading
import time

LOGGER_NAME = "jotunheim.sim"  # the device's own messages and the simulator's events


def _blinka():
    # Blinka's board module needs to be told it runs on no real board.
    os.environ.setdefault("BLINKA_OS_AGNOSTIC", "1")


class SimulatedDevice:
    """A :class:`jotunheim.Device` with simulated parts, run in a thread."""

    def __init__(
        self,
        root,
        *,
        host="127.0.0.1",
        port=0,
        loki_url=None,
        token=None,
        owner_token=None,
        loki_token=None,
        open_access=None,
        auth_mode=None,
        settings_file=None,
        name="simulated-device",
        device_id=None,
        script_prefix="",
        seed=1,
        parts=True,
        ota_keys=None,
        idle_sleep=0.002,
        reboot=None,
    ):
        _blinka()
        from jotunheim import log
        from jotunheim.capability.builder import DeviceCapabilityBuilder
        from jotunheim.device import Device
        from jotunheim.net.wifi import HostNetwork
        from jotunheim.settings.loader import SettingsLoader

        os.makedirs(root, exist_ok=True)
        self.root = root
        self.idle_sleep = idle_sleep
        loader = SettingsLoader(settings_file, root=root)
        loader.load()
        if loader.last_error:
            raise ValueError(loader.last_error)
        builder = DeviceCapabilityBuilder(name, loader.settings, device_id=device_id)
        self.log = HostLogger(logging.getLogger(LOGGER_NAME))
        self.ota_keys = ota_keys
        self.reboot_fn = reboot
        self.device = Device(
            name,
            settings=loader,
            root=root,
            token=token,
            owner_token=owner_token,
            loki_token=loki_token,
            open_access=open_access,
            auth_mode=auth_mode,
            loki_url=loki_url,
            host=host,
            port=port,
            pool=socket,
            # The host's network is always there; the Loki link has its own backoff.
            network=HostNetwork(probe_interval=0),
            builder=builder,
            script_prefix=script_prefix,
            ota_keys=ota_keys,
            error_ring=True,
            reboot=self.reboot,
            ota_check=self.ota_check,
            logger=self.log,
        )
        # The ring made now (on a board it waits for the first error): the simulator's
        # threads may log their first errors at once, and one ring must take them all.
        log.error_ring()
        self.watcher = LokiWatcher(self.device, self.log)
        self.device.scheduler.every("sim-watch", 0.2, self.watcher.step)
        self.climate = self.led = self.relay = self.button = None
        if parts:
            self.add_default_parts(seed)
        self._thread = None
        self._stop = threading.Event()
        self.step_errors = 0
        self.last_step_error = None

    def add_default_parts(self, seed=1):
        from jotunheim.capability.drivers.simulated import (
            SimulatedButton,
            SimulatedClimateSensor,
            SimulatedLed,
            SimulatedRelay,
        )

        self.climate = self.device.add_sensor("climate", SimulatedClimateSensor(seed=seed))
        self.led = self.device.add_actuator("status", SimulatedLed(pwm=True))
        self.relay = self.device.add_actuator("pump", SimulatedRelay())
        self.button = self.device.add_sensor("button", SimulatedButton(seed=seed))

    # ------------------------------------------------------------ events

    def reboot(self):
        """What the Device's reboot does here: log it, then the ``reboot`` given (the
        demo's boot sequence) or a soft restart of the Device in place."""
        self.log.info("rebooting (reboot %d)" % self.device.reboots)
        if self.reboot_fn is not None:
            self.reboot_fn()
        else:
            from jotunheim.device import reboot

            reboot.soft_restart(self.device)
        self.log.info("rebooted: serving at %s" % self.device.address)

    def ota_check(self, params):
        """The Device's OTA check (the built-in :class:`jotunheim.ota.agent.OtaAgent`),
        with each check, install and refusal logged.

        :param params: ``{"install": true}`` also installs and reboots
        """
        from jotunheim.device import reboot
        from jotunheim.ota.agent import OtaAgent

        device = self.device
        agent = OtaAgent(
            self.root,
            device.settings,
            keys=self.ota_keys,
            board_id=lambda: device.builder.detect()["board_id"],
            reboot=lambda: reboot.reboot_later(device),
            logger=self.log,
            clock=device.clock,
            resources=device.resources,
        )
        install = bool((params or {}).get("install"))
        self.log.info(
            "OTA check of %s%s"
            % (
                device.settings.get("ota.manifest_url") or "(no ota.manifest_url)",
                ", install if newer" if install else "",
            )  # fmt: skip
        )
        try:
            result = agent.check(params)
        except Exception as exc:
            self.log.info("OTA update refused: %s: %s" % (type(exc).__name__, exc))
            raise
        self.log.info(ota_outcome(result))
        return result

    # ------------------------------------------------------------ running

    @property
    def url(self):
        return self.device.url

    @property
    def address(self):
        return self.device.address

    @property
    def port(self):
        return self.device.port

    def start(self):
        """Start serving (binds the port now) and run the loop in a thread."""
        self.device.start()
        if self.device.server is None:
            raise RuntimeError("the simulated device did not start its server")
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="jotunheim-sim", daemon=True)
        self._thread.start()
        return self

    def _loop(self):
        device = self.device
        while not self._stop.is_set():
            try:
                served = device.step()
            except Exception as exc:  # noqa: BLE001 - the loop survives, like on a board
                self.step_errors += 1
                self.last_step_error = "%s: %s" % (type(exc).__name__, exc)
                served = 0
                time.sleep(0.05)
            if not served:
                time.sleep(self.idle_sleep)

    def run_forever(self):
        """Run the Device loop in this thread (the CLI); returns on KeyboardInterrupt."""
        try:
            self.device.run(idle_ms=int(self.idle_sleep * 1000) or 1)
        except KeyboardInterrupt:
            pass
        finally:
            self.device.stop()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None
        self.device.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def ota_outcome(result):
    """One line for an OTA check's result dict.

    :param result: what ``OtaAgent.check`` returned
    """
    installed = result.get("installed")
    have = "installed v%s" % installed if installed is not None else "no update installed yet"
    if not result.get("update"):
        return "OTA: no newer version (%s)" % have
    if result.get("rebooting"):
        return "OTA: installed v%s, rebooting into its trial boot" % installed
    return "OTA: v%s available (%s)" % (result.get("available"), have)


class HostLogger:
    """The logger API the Device uses (``debug`` ... ``exception``), on a Python logger;
    errors also go to the device's error ring, as its own logger would send them.

    :param logger: a :class:`logging.Logger`
    """

    def __init__(self, logger):
        self.logger = logger

    def log(self, level, msg, *args):
        """Log ``msg % args`` at ``level`` (numbers as in :mod:`logging`)."""
        if args:
            msg = msg % args
        self.logger.log(level, msg)
        if level >= logging.ERROR:
            from jotunheim import log

            ring = log.error_ring()
            if ring is not None:
                ring.add(msg, level, self.logger.name)

    def debug(self, msg, *args):
        """Log at DEBUG."""
        self.log(logging.DEBUG, msg, *args)

    def info(self, msg, *args):
        """Log at INFO."""
        self.log(logging.INFO, msg, *args)

    def warning(self, msg, *args):
        """Log at WARNING."""
        self.log(logging.WARNING, msg, *args)

    def error(self, msg, *args):
        """Log at ERROR."""
        self.log(logging.ERROR, msg, *args)

    def critical(self, msg, *args):
        """Log at CRITICAL."""
        self.log(logging.CRITICAL, msg, *args)

    def exception(self, err, *args):
        """Log an ERROR for an exception (adafruit_logging style) or a message."""
        if isinstance(err, BaseException):
            self.log(logging.ERROR, "%s: %s" % (type(err).__name__, err))
        else:
            self.log(logging.ERROR, err, *args)


class LokiWatcher:
    """Logs the Device's standing with Loki when it changes: registered (how many tools,
    which failed), lost, back. A scheduler task of the simulated Device.

    :param device: the :class:`jotunheim.Device`
    :param log: where to log
    """

    def __init__(self, device, log):
        self.device = device
        self.log = log
        self.negotiation = None
        self.state = None

    def step(self):
        """Look once; True when something was logged."""
        link = self.device.loki_link
        if link is None:
            return False
        logged = False
        result = link.last_negotiation
        if result is not None and result is not self.negotiation:
            self.negotiation = result
            failed = ", ".join("%s (%s)" % (name, why) for name, why in result.failed)
            self.log.info(
                "registered with Loki at %s: %d tool(s)%s"
                % (link.url, len(result.registered), "; failed: " + failed if failed else "")
            )
            logged = True
        if link.state != self.state:
            if link.state == "offline":
                self.log.info("Loki at %s unreachable: %s" % (link.url, link.error))
            elif link.state == "ok" and self.state == "offline":
                self.log.info("Loki at %s reachable again" % link.url)
            self.state = link.state
            logged = True
        return logged
