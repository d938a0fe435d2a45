# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""StatusService: JotunheimService.GetDeviceStatus (loaded on the first status call)."""

import json

from jotunheim.pb import jotunheim as jpb


class StatusService:
    """Answers GetDeviceStatus: status word, capabilities and runtime figures as JSON.

    :param gate: the :class:`jotunheim.remote.handler.RemoteCommandHandler` (its checks)
    :param capabilities: callable returning the device's JotunheimCapabilities
    :param status: callable returning a dict with ``status`` and runtime figures
    """

    def __init__(self, gate, capabilities, status) -> None:
        self.gate = gate
        self.capabilities = capabilities
        self.status = status

    def counters(self) -> dict:
        """The remote service's own figures: calls, tool calls and failures, refusals by
        status code, rate-limited calls (``gate`` is the RemoteCommandHandler)."""
        gate = self.gate
        return {
            "calls": gate.calls,
            "tool_calls": gate.tool_calls,
            "tool_failures": gate.tool_failures,
            "refused": dict((str(k), v) for k, v in (gate.refused or {}).items()),
            "rate_limited": gate.rate_limited,
        }

    def status_info(self) -> dict:
        """The runtime figures (the device's, then the remote service's own)."""
        info = dict(self.status() if self.status is not None else {})
        info.setdefault("status", "ok")
        info["remote"] = self.counters()
        return info

    def get_device_status(self, request, context):
        """GetDeviceStatus: the capabilities document with a ``runtime`` section."""
        self.gate.authorize(context, request.device_id)
        info = self.status_info()
        status = info.pop("status")
        last_seen = info.pop("last_seen", None) or timestamp()
        doc = capabilities_dict(self.capabilities())
        doc["runtime"] = info
        return jpb.DeviceStatusResponse(
            device_id=self.gate.device.device_id_now(),
            status=status,
            capabilities=json.dumps(doc),
            last_seen=last_seen,
        )


def timestamp(now=None):
    """ISO 8601 UTC time when the clock is set, else ``uptime <s>s`` (no NTP yet)."""
    import time

    if now is None:
        now = time.time()
    if now < 1577836800:  # before 2020: the RTC was never set
        from jotunheim.compat import monotonic

        return "uptime %ds" % int(monotonic())
    t = getattr(time, "gmtime", time.localtime)(int(now))
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (t[0], t[1], t[2], t[3], t[4], t[5])


def capabilities_dict(caps):
    """``JotunheimCapabilities`` as plain JSON-able data (for GetDeviceStatus)."""
    if caps is None:
        return {}
    tools = []
    for t in caps.tools:
        params = []
        for p in t.parameters:
            entry = {"name": p.name, "type": p.type, "required": p.required}
            if p.description:
                entry["description"] = p.description
            if p.minimum is not None:
                entry["minimum"] = p.minimum
            if p.maximum is not None:
                entry["maximum"] = p.maximum
            if p.enum_values:
                entry["enum"] = list(p.enum_values)
            if p.unit:
                entry["unit"] = p.unit
            if p.default_value:
                entry["default"] = p.default_value
            params.append(entry)
        tool = {"name": t.name, "description": t.description, "parameters": params}
        tool["return_type"] = t.return_type
        if t.user_only:
            tool["user_only"] = True
        if t.unit:
            tool["unit"] = t.unit
        tools.append(tool)
    out = {
        "device_id": caps.device_id,
        "device_name": caps.device_name,
        "device_type": caps.device_type,
        "firmware_version": caps.firmware_version,
        "protocol_version": caps.protocol_version,
        "tools": tools,
    }
    hw = caps.hardware
    if hw is not None:
        gpio = hw.gpio
        out["hardware"] = {
            "interfaces": list(hw.interfaces),
            "sensors": list(hw.sensors),
            "actuators": list(hw.actuators),
            "gpio_pins": list(gpio.available_pins) if gpio is not None else [],
        }
    res = caps.resources
    if res is not None:
        out["resources"] = {
            "max_memory_kb": res.max_memory_kb,
            "max_cpu_percent": res.max_cpu_percent,
            "max_concurrent_tools": res.max_concurrent_tools,
        }
    feat = caps.features
    if feat is not None:
        out["features"] = {
            "streaming": feat.streaming,
            "compression": feat.compression,
            "encryption": feat.encryption,
        }
    return out
