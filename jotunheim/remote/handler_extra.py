"""The less used RPCs of RemoteCommandHandler: SendDeviceCommand, GetDeviceStatus, Einherjar."""

# jotunheim.remote.handler imports this module on first use: a device that only answers
# CallTool never holds it. Functions take the handler as their first argument; the
# handler's methods of the same name call them.

import json

from jotunheim.grpc.status import GrpcError, StatusCode
from jotunheim.remote.auth import OWNER
from jotunheim.remote.handler import _describe, _json_bytes


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


def send_device_command(h, request, context):
    from jotunheim.pb import jotunheim as jpb

    level = h._authorize(context)
    h._check_device(request.device_id)
    name = request.command.strip()
    entry = h.commands.get(name)
    if entry is None:
        raise h._refuse(
            StatusCode.INVALID_ARGUMENT,
            "unknown command %r; this device knows: %s" % (name, ", ".join(sorted(h.commands))),
        )
    fn, owner_only, _ = entry
    if owner_only and level != OWNER:
        raise h._refuse(
            StatusCode.PERMISSION_DENIED,
            "%s needs the owner token (JOTUNHEIM_OWNER_TOKEN)" % name,
        )
    params = h._params(request.parameters, name)
    try:
        result = fn(params, context)
        body = _json_bytes(result)
    except GrpcError:
        raise
    except MemoryError:
        return jpb.DeviceCommandResponse(success=False, error_message=name + ": out of memory")
    except Exception as exc:  # noqa: BLE001
        message = "%s failed: %s" % (name, _describe(exc))
        if h.logger is not None:
            h.logger.error(message)
        return jpb.DeviceCommandResponse(success=False, error_message=message)
    return jpb.DeviceCommandResponse(success=True, result=body)


def ping(h):
    from jotunheim.compat import monotonic

    return {"pong": True, "device_id": h.device_id, "uptime_s": int(monotonic())}


def status_info(h):
    info = h._status() if h._status is not None else {}
    info = dict(info)
    info.setdefault("status", "ok")
    info["remote"] = {
        "calls": h.calls,
        "tool_calls": h.tool_calls,
        "tool_failures": h.tool_failures,
        "refused": dict((str(k), v) for k, v in h.refused.items()),
        "rate_limited": h.limiter.refused,
    }
    return info


def get_device_status(h, request, context):
    from jotunheim.pb import jotunheim as jpb

    h._authorize(context)
    h._check_device(request.device_id)
    info = h.status_info()
    status = info.pop("status")
    last_seen = info.pop("last_seen", None) or timestamp()
    doc = capabilities_dict(h.capabilities())
    doc["runtime"] = info
    return jpb.DeviceStatusResponse(
        device_id=h.device_id,
        status=status,
        capabilities=json.dumps(doc),
        last_seen=last_seen,
    )


def einherjar_capabilities(h, request, context):
    h._authorize(context)
    if h._einherjar is not None:
        return h._einherjar()
    from jotunheim.pb import einherjar

    caps = h.capabilities()
    return einherjar.CapabilityResponse(
        god_name=caps.device_name,
        purpose="%s device" % caps.device_type,
        functions=h.registry.to_einherjar_functions(),
    )
