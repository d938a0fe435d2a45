# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim demo``: a reference Loki and a simulated device, end to end, on 127.0.0.1.

Each step does real work over real sockets and checks its outcome; the run stops at the
first failed step with a message saying what went wrong, and exits non-zero. Steps:

1. network join — the simulated device (the real ``jotunheim.Device`` on Blinka) joins the
   host network and serves JotunheimService;
2. negotiation — it registers a forwarding stub script per tool with the reference Loki;
3. an AI-style tool call through Loki reaches the device (sensor read, LED set);
4. a streamed script (real Lua) emits while it runs and calls the device;
5. a signed OTA update, served by Loki's ``/ota/``, applied on ``ota_check`` and confirmed;
6. a tampered update rejected, nothing on the device changed;
7. a broken update (its app crashes at import) rolled back after the trial boots.
"""

import hashlib
import importlib.util
import json
import logging
import os
import pathlib
import shutil
import sys
import tempfile
import time

OWNER_TOKEN = "demo-owner-token"
TRIAL_BOOTS = 2


class StepFailed(Exception):
    """A demo step did not get the outcome it checks for."""


class DeviceLogHandler(logging.Handler):
    """The simulated device's warnings and errors, printed inside the step that caused
    them: one the step expects (a tampered update refused) as that step's outcome, any
    other as the error it is.

    :param demo: the :class:`Demo` (its ``say`` and ``expected``)
    """

    def __init__(self, demo):
        super().__init__(logging.WARNING)
        self.demo = demo

    def emit(self, record):
        """Print one record of the device's logger."""
        message = record.getMessage()
        expected = self.demo.expected
        if expected and expected in message:
            self.demo.say("      | expected: the device refused it (%s)" % message)
        else:
            self.demo.say("      device %s: %s" % (record.levelname, message))


class Demo:
    def __init__(self, workdir, out=sys.stdout):
        self.work = pathlib.Path(workdir)
        self.out = out
        self.expected = None  # text of a device error the current step provokes on purpose
        self.results = []  # (title, ok, detail, seconds)
        self.loki = self.sim = self.client = None
        self.app_version = None
        self.boot_log = []
        self.reboots_done = 0

    # ------------------------------------------------------------------ plumbing

    def say(self, text=""):
        print(text, file=self.out, flush=True)

    def step(self, title, fn):
        number = len(self.results) + 1
        self.say("[%d/%d] %s" % (number, len(STEPS), title))
        start = time.monotonic()
        try:
            detail = fn()
        except Exception as exc:  # noqa: BLE001 - every failure ends the demo with its reason
            seconds = time.monotonic() - start
            reason = (
                str(exc) if isinstance(exc, StepFailed) else "%s: %s" % (type(exc).__name__, exc)
            )
            self.results.append((title, False, reason, seconds))
            self.say("      FAILED: %s" % reason)
            return False
        seconds = time.monotonic() - start
        self.results.append((title, True, detail, seconds))
        self.say("      ok (%.2f s): %s" % (seconds, detail))
        return True

    def wait_for(self, predicate, what, timeout=20.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if predicate():
                return
            time.sleep(0.02)
        raise StepFailed("timed out after %.0f s waiting for %s" % (timeout, what))

    def device_command(self, command, params=None, token=OWNER_TOKEN):
        from jotunheim.grpc.client import GrpcWebClient
        from jotunheim.pb import jotunheim as jpb
        from jotunheim_host.signing import client_signer

        client = GrpcWebClient(self.sim.url, timeout=60, signer=client_signer(token))
        try:
            return client.unary(
                "/jotunheim.JotunheimService/SendDeviceCommand",
                jpb.DeviceCommandRequest(command=command, parameters=json.dumps(params or {})),
                decode=jpb.DeviceCommandResponse.decode,
            )
        finally:
            client.close()

    # ------------------------------------------------------------------ set-up

    def start(self):
        from jotunheim.loki.client import LokiClient
        from jotunheim_host import ota_tools
        from jotunheim_host.loki import LokiServer
        from jotunheim_host.simulate import SimulatedDevice

        self.root = self.work / "CIRCUITPY"
        self.ota_dir = self.work / "ota-served"
        self.root.mkdir(parents=True)
        self.ota_dir.mkdir()
        self.key = self.work / "ota-key.pem"
        ota_tools.generate_key(self.key)
        public_key = ota_tools.load_public_key(str(self.key) + ".pub")
        # version 1 of the app is what the board runs before any update
        self.write_app(self.root, 1)
        from jotunheim_host.loki.access import AccessPolicy

        # The demo's Loki and device share this machine only: open mode, chosen explicitly.
        self.loki = LokiServer(
            str(self.work / "scripts"),
            host="127.0.0.1",
            port=0,
            ota_dir=str(self.ota_dir),
            policy=AccessPolicy.open(),
        )
        self.loki.__enter__()
        settings = {
            "capabilities": {"device_name": "demo-board"},
            # Like its Loki, the demo device is open to this machine (no JOTUNHEIM_TOKEN);
            # owner commands still need the owner token, signed.
            "remote": {"open": True},
            "ota": {
                "manifest_url": self.loki.url + "/ota/manifest.json",
                "trial_boots": TRIAL_BOOTS,
            },
        }
        (self.root / "jotunheim.json").write_text(json.dumps(settings, indent=1))
        self.sim = SimulatedDevice(
            str(self.root),
            loki_url=self.loki.url,
            token="",
            owner_token=OWNER_TOKEN,
            name="demo-board",
            ota_keys=[public_key],
            reboot=self.simulated_reboot,
        )
        self.sim.__enter__()
        self.app_version = self.load_app()
        self.client = LokiClient(self.loki.url, timeout=30)

    def stop(self):
        for closer in (
            lambda: self.client and self.client.close(),
            lambda: self.sim and self.sim.__exit__(None, None, None),
            lambda: self.loki and self.loki.__exit__(None, None, None),
        ):
            try:
                closer()
            except Exception:  # noqa: BLE001 - best effort on the way out
                pass

    # ------------------------------------------------------------------ the app and its boots

    @staticmethod
    def write_app(folder, version, broken=False):
        """The maker's app: code.py plus lib/app_tools.py (what OTA updates ship)."""
        lib = pathlib.Path(folder) / "lib"
        lib.mkdir(parents=True, exist_ok=True)
        (pathlib.Path(folder) / "code.py").write_text(
            "import app_tools\nfrom jotunheim import Device\n\n"
            "device = Device.from_settings()\napp_tools.register(device)\ndevice.run()\n"
        )
        body = "VERSION = %d\n\n\ndef register(device):\n    device.version = VERSION\n" % version
        if broken:
            body = (
                "raise RuntimeError('app v%d is broken: missing sensor calibration')\n" % version
                + body
            )
        (lib / "app_tools.py").write_text(body)

    def load_app(self):
        """Import root/lib/app_tools.py as code.py would; a crash is a failed boot."""
        path = self.root / "lib" / "app_tools.py"
        spec = importlib.util.spec_from_file_location("demo_app_tools", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.VERSION

    def simulated_reboot(self):
        """What a board does on reset: boot.py runs jotunheim.ota.boot.run (finish or undo
        an activation, count trial boots, roll back), then code.py imports the app. A
        crash there is a failed boot and the board resets again."""
        from jotunheim.ota import boot

        for _ in range(TRIAL_BOOTS + 2):
            result = boot.run(str(self.root), max_trial_boots=TRIAL_BOOTS, remount=False)
            try:
                self.app_version = self.load_app()
            except Exception as exc:  # noqa: BLE001 - the app crashed at import
                self.boot_log.append((result["action"], "app crashed: %s" % exc))
                continue
            self.boot_log.append((result["action"], "app v%d started" % self.app_version))
            break
        from jotunheim.device import reboot

        reboot.soft_restart(self.sim.device)
        self.reboots_done += 1

    def tree_hash(self):
        digest = hashlib.sha256()
        for path in sorted(self.root.rglob("*")):
            rel = path.relative_to(self.root).as_posix()
            if path.is_file() and (rel == "code.py" or rel.startswith("lib/")):
                digest.update(rel.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()[:16]

    def publish(self, version, broken=False, tamper=False):
        """Build and sign an update with `jotunheim ota build`'s code; serve it from Loki."""
        from jotunheim_host import ota_tools

        src = self.work / ("app-v%d" % version)
        self.write_app(src, version, broken=broken)
        if self.ota_dir.exists():
            shutil.rmtree(self.ota_dir)
        ota_tools.build(src, self.ota_dir, version, self.key, package="demo-app")
        if tamper:  # an attacker edits a file after signing (same size: only the hash tells)
            victim = self.ota_dir / "files" / "lib" / "app_tools.py"
            victim.write_text(victim.read_text().replace("VERSION = %d" % version, "VERSION = 9"))

    def install_update(self):
        """ota_check with install=true, as a controller would send it; waits for the reboot."""
        done = self.reboots_done
        resp = self.device_command("ota_check", {"install": True})
        if resp.success:
            self.wait_for(lambda: self.reboots_done > done, "the device to reboot")
            self.wait_for(lambda: self.sim.device.server is not None, "the device to serve again")
        return resp

    def ota_state(self):
        from jotunheim.ota import status

        return status(str(self.root))

    # ------------------------------------------------------------------ steps

    def step_network(self):
        self.wait_for(lambda: self.sim.device.server is not None, "the device to serve")
        from jotunheim_host.commands.inspect import fetch

        status, info, caps = fetch(self.sim.url, timeout=10)
        net = info.get("runtime", {}).get("network", {})
        if status.status not in ("ok", "degraded", "offline-loki"):
            raise StepFailed("device status is %r" % status.status)
        return "device %s (%s) serving at %s; network %s (%s, ip %s); %d tools" % (
            caps.device_name,
            caps.device_type,
            self.sim.address,
            net.get("status"),
            net.get("ssid"),
            net.get("ip"),
            len(caps.tools),
        )

    def step_negotiation(self):
        self.wait_for(lambda: self.sim.device.loki_state == "ok", "negotiation with Loki")
        scripts = {s.name: s for s in self.client.list_scripts()}
        tools = [t.name for t in self.sim.device.registry.tools() if not t.user_only]
        missing = [t for t in tools if t not in scripts]
        if missing:
            raise StepFailed("Loki lacks the stubs for %s" % ", ".join(missing))
        led = scripts["set_led_sim"]
        params = ", ".join("%s:%s" % (p.name, p.type) for p in led.parameters)
        return "%d tools registered as Loki scripts (e.g. set_led_sim(%s))" % (len(tools), params)

    def step_tool_call(self):
        reading = self.client.execute_script("read_dht22_sim_temperature", {})
        if not reading.success:
            raise StepFailed("sensor read through Loki failed: %s" % reading.error)
        temperature = float(reading.output)
        if not 10.0 <= temperature <= 35.0:
            raise StepFailed("implausible temperature %s" % reading.output)
        result = self.client.execute_script("set_led_sim", {"on": "true", "brightness": "0.75"})
        if not result.success:
            raise StepFailed("LED set through Loki failed: %s" % result.error)
        state = self.sim.led.state()
        if state != {"on": True, "brightness": 0.75}:
            raise StepFailed("the LED did not change: %r" % state)
        return "Loki -> Lua stub -> device: temperature %.1f °C; LED now %s" % (temperature, state)

    def step_stream(self):
        script = (
            "for i = 1, 3 do\n"
            '  local t = device.call("%s", "read_dht22_sim_temperature", {})\n'
            '  emit(string.format("sample %%d: %%.1f C", i, t))\n'
            "end\n"
            'return "3 samples"\n' % self.sim.address
        )
        reg = self.client.register_script("sample_climate", inline_script=script, language="lua")
        if not reg.success:
            raise StepFailed("Loki refused the script: %s" % reg.error_message)
        seen = []
        for chunk in self.client.stream_script_execution("sample_climate", {}):
            kind = chunk.which_oneof("chunk_type")
            if kind == "output" and chunk.output.data.strip():
                seen.append(chunk.output.data.strip())
                self.say("      | %s" % seen[-1])
            elif kind == "error":
                raise StepFailed("script error: %s" % chunk.error.error_message)
            elif kind == "result" and not chunk.result.success:
                raise StepFailed("script failed: %s" % chunk.result.output)
        if len(seen) != 3:
            raise StepFailed("expected 3 streamed samples, got %r" % seen)
        return "3 chunks streamed while the Lua script ran"

    def step_sensor_stream(self):
        import hashlib

        from jotunheim_host.streams import sensor_stream_demo

        result = sensor_stream_demo(
            str(self.work / "streams"),
            device=self.sim.device,
            frames_count=24,
            rate=24,
            printer=lambda line: self.say("      | %s" % line),
        )
        with open(result["path"], "rb") as handle:
            stored = hashlib.sha256(handle.read()).hexdigest()
        # 24 sample frames and the end-of-stream frame, stored whole
        if result["state"] != "done" or result["frames"] < 24 or stored != result["sha256"]:
            raise StepFailed("sensor stream incomplete: %r" % (result,))
        return "%d frames, %d bytes up to a receiver on 127.0.0.1, SHA-256 %s..." % (
            result["frames"],
            result["bytes"],
            stored[:12],
        )

    def step_ota_update(self):
        self.publish(2)
        before = self.tree_hash()
        negotiation = self.sim.device.loki_link.last_negotiation
        resp = self.install_update()
        if not resp.success:
            raise StepFailed("update refused: %s" % resp.error_message)
        self.wait_for(
            lambda: not self.ota_state().get("trial"), "the new version to confirm itself"
        )
        state = self.ota_state()
        if state.get("version") != 2 or self.app_version != 2:
            raise StepFailed("expected v2 running and confirmed, state %r" % state)
        self.wait_for(
            lambda: (
                self.sim.device.loki_link.last_negotiation is not negotiation
                and self.sim.device.loki_state == "ok"
            ),
            "re-announcement to Loki",
        )
        self.good_hash = self.tree_hash()
        return "v1 -> v2 (files %s -> %s), trial confirmed, capabilities re-announced" % (
            before,
            self.good_hash,
        )

    def step_tampered(self):
        self.publish(3, tamper=True)
        reboots = self.sim.device.reboots
        self.expected = "HashMismatch"  # the device logs its refusal as an error: wanted here
        try:
            resp = self.install_update()
        finally:
            self.expected = None
        if resp.success:
            raise StepFailed("a tampered update was accepted")
        if self.tree_hash() != self.good_hash or self.sim.device.reboots != reboots:
            raise StepFailed("the device changed after refusing the update")
        return "refused: %s; files still %s" % (resp.error_message, self.good_hash)

    def step_broken(self):
        self.publish(4, broken=True)
        self.boot_log.clear()
        resp = self.install_update()
        if not resp.success:
            raise StepFailed(
                "the (valid, signed) broken update was refused: %s" % resp.error_message
            )
        state = self.ota_state()
        if state.get("version") != 2 or self.tree_hash() != self.good_hash or self.app_version != 2:
            raise StepFailed("expected a rollback to v2, state %r" % state)
        for action, note in self.boot_log:
            self.say("      | boot: %s, %s" % (action, note))
        return "v4 crashed on %d trial boots, rolled back to v2 (files %s)" % (
            sum(1 for _, note in self.boot_log if "crashed" in note),
            self.tree_hash(),
        )

    # ------------------------------------------------------------------ run

    def run(self):
        started = time.monotonic()
        self.say("Jotunheim demo: a reference Loki and a simulated device on 127.0.0.1")
        self.say("(work folder %s)" % self.work)
        self.say()
        with device_log(self):
            return self.run_steps(started)

    def run_steps(self, started):
        try:
            self.start()
        except Exception as exc:  # noqa: BLE001
            self.say("set-up failed: %s: %s" % (type(exc).__name__, exc))
            self.stop()
            return 1
        self.say("Loki at %s, device at %s" % (self.loki.url, self.sim.url))
        self.say()
        try:
            for title, method in STEPS:
                if not self.step(title, getattr(self, method)):
                    break
        finally:
            self.stop()
        self.summary(time.monotonic() - started)
        return 0 if len(self.results) == len(STEPS) and all(r[1] for r in self.results) else 1

    def summary(self, seconds):
        passed = sum(1 for r in self.results if r[1])
        self.say()
        self.say("Summary")
        for title, ok, _detail, step_seconds in self.results:
            self.say("  %-4s %-46s %6.2f s" % ("ok" if ok else "FAIL", title, step_seconds))
        for title, _method in STEPS[len(self.results) :]:
            self.say("  %-4s %-46s" % ("skip", title))
        self.say("%d/%d steps passed in %.1f s" % (passed, len(STEPS), seconds))


STEPS = (
    ("Network join: device up and serving", "step_network"),
    ("Capability negotiation and tool registration", "step_negotiation"),
    ("AI-style tool call through Loki", "step_tool_call"),
    ("Streamed script", "step_stream"),
    ("Sensor stream from the device (uplink)", "step_sensor_stream"),
    ("Signed OTA update applied and confirmed", "step_ota_update"),
    ("Tampered update rejected", "step_tampered"),
    ("Broken update rolled back", "step_broken"),
)


class device_log:  # noqa: N801 - used as a context manager, like contextlib's
    """Route the simulated device's logger (``jotunheim.sim``) to the demo's output
    while the demo runs, and nowhere else.

    :param demo: the :class:`Demo`
    """

    def __init__(self, demo):
        from jotunheim_host.simulate import LOGGER_NAME

        self.logger = logging.getLogger(LOGGER_NAME)
        self.handler = DeviceLogHandler(demo)

    def __enter__(self):
        self.propagate = self.logger.propagate
        self.logger.propagate = False
        self.logger.addHandler(self.handler)
        return self

    def __exit__(self, *exc):
        self.logger.removeHandler(self.handler)
        self.logger.propagate = self.propagate


def run_demo(keep=False, out=sys.stdout):
    os.environ.setdefault("BLINKA_OS_AGNOSTIC", "1")
    work = tempfile.mkdtemp(prefix="jotunheim-demo-")
    try:
        return Demo(work, out=out).run()
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
