# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""``jotunheim inspect URL``: a device's status and capabilities, its tools as a table."""

from jotunheim_host.cli import CliError


def register(subparsers):
    p = subparsers.add_parser(
        "inspect",
        help="show a device's status and capabilities, and its tools as a table",
        description="Ask a Jotunheim device (JotunheimService over gRPC-Web) for its status and "
        "capabilities and print its tools as a table.",
    )
    p.add_argument("url", help="the device, e.g. http://192.168.1.42:8080")
    p.add_argument("--token", help="the device's JOTUNHEIM_TOKEN (signs each call)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per call (default 10)")
    p.add_argument("--json", action="store_true", help="print the raw status JSON instead")
    p.set_defaults(func=run)


def fetch(url, token=None, timeout=10.0):
    """(DeviceStatusResponse, status JSON dict, JotunheimCapabilities) of the device."""
    import json
    import socket

    from jotunheim.grpc.client import GrpcWebClient
    from jotunheim.pb import jotunheim as jpb
    from jotunheim.pb import jotunheim_capability as cap
    from jotunheim_host.signing import client_signer

    # Every call signed with the token (the device's default remote.auth_mode).
    client = GrpcWebClient(url, socket_pool=socket, timeout=timeout, signer=client_signer(token))
    try:
        status = client.unary(
            "/jotunheim.JotunheimService/GetDeviceStatus",
            jpb.DeviceStatusRequest(),
            decode=jpb.DeviceStatusResponse.decode,
            idempotent=True,
        )
        caps = client.unary(
            "/jotunheim.JotunheimService/GetCapabilities",
            cap.CapabilityRequest(),
            decode=cap.CapabilityResponse.decode,
            idempotent=True,
        ).capabilities
    finally:
        client.close()
    try:
        doc = json.loads(status.capabilities) if status.capabilities else {}
    except ValueError:
        doc = {}
    return status, doc, caps


def _param_text(p):
    text = p.name + ":" + p.type
    if p.minimum is not None or p.maximum is not None:
        low = "" if p.minimum is None else "%g" % p.minimum
        high = "" if p.maximum is None else "%g" % p.maximum
        text += " %s..%s" % (low, high)
    if p.enum_values:
        text += " {%s}" % "|".join(p.enum_values)
    if p.unit:
        text += " " + p.unit
    if not p.required:
        text = "[" + text + "]"
    return text


def tool_rows(caps):
    rows = []
    for t in caps.tools:
        returns = t.return_type + ((" " + t.unit) if t.unit else "")
        params = ", ".join(_param_text(p) for p in t.parameters) or "-"
        flags = "owner only" if t.user_only else ""
        rows.append((t.name, params, returns, flags, t.description))
    return rows


def table(headers, rows):
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    lines = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)


def _kb(value):
    return "n/a" if value is None else "%.1f KB" % (value / 1024.0)


def resource_lines(res):
    """Lines of the ``resources`` section of GetDeviceStatus's runtime (heap, CPU, buffers,
    bandwidth, flash), each starting with its label column."""
    if not res:
        return []
    heap = res.get("heap") or {}
    lines = []
    if heap:
        lines.append(
            "heap       %s free, %s used (%s; warning below %s, refused below %s; %d refused)"
            % (
                _kb(heap.get("free")),
                _kb(heap.get("used")),
                heap.get("level"),
                _kb(heap.get("warning_line")),
                _kb(heap.get("exhausted_line")),
                heap.get("refused") or 0,
            )
        )
    else:
        lines.append("heap       %s free" % _kb(res.get("free_heap")))
    cpu = res.get("cpu") or {}
    tasks = cpu.get("tasks") or {}
    busiest = sorted(tasks.items(), key=lambda item: -item[1].get("load", 0))[:3]
    lines.append(
        "cpu        device %s%%, tasks %s%%%s"
        % (
            round(100 * (res.get("cpu_load") or 0), 1),
            round(100 * (cpu.get("load") or 0), 1),
            "".join(
                "; %s %s%%" % (name, round(100 * task.get("load", 0), 1)) for name, task in busiest
            ),
        )
    )
    buffers = res.get("buffers") or {}
    if buffers:
        lines.append(
            "buffers    %d x %d B, %d free (least %d), %d misses, %d degraded"
            % (
                buffers.get("count", 0),
                buffers.get("size", 0),
                buffers.get("free", 0),
                buffers.get("least_free", 0),
                buffers.get("misses", 0),
                buffers.get("degraded", 0),
            )
        )
    bw = res.get("bandwidth") or {}
    budget = bw.get("budget") or 0
    lines.append(
        "bandwidth  rx %s B, tx %s B; window %s B of %s per %s s; %d deferred"
        % (
            res.get("rx_bytes", 0),
            res.get("tx_bytes", 0),
            bw.get("window_bytes", 0),
            "%d B" % budget if budget else "no budget",
            bw.get("window_s", 0),
            bw.get("deferred", 0),
        )
    )
    for name, entry in sorted((bw.get("endpoints") or {}).items()):
        deferred = entry.get("deferred")
        lines.append(
            "           %-22s sent %d B, received %d B%s"
            % (
                name,
                entry["sent"],
                entry["received"],
                "; %d deferred" % deferred if deferred else "",
            )
        )
    flash = res.get("flash") or {}
    if flash.get("total"):
        lines.append("flash      %s free of %s" % (_kb(flash.get("free")), _kb(flash.get("total"))))
    return lines


def run(args):
    import json

    from jotunheim.grpc.status import GrpcError, StatusCode

    try:
        status, doc, caps = fetch(args.url, args.token, args.timeout)
    except GrpcError as err:
        hint = ""
        if err.code == StatusCode.UNAUTHENTICATED:
            hint = " (pass --token)"
        elif err.code == StatusCode.UNAVAILABLE:
            hint = " (is the device running at %s?)" % args.url
        raise CliError("%s: %s%s" % (StatusCode.name(err.code), err.message, hint)) from None
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps({"status": status.status, "last_seen": status.last_seen, **doc}, indent=2))
        return 0
    runtime = doc.get("runtime", {})
    print("device     %s (%s)" % (caps.device_name, caps.device_id))
    print("type       %s" % caps.device_type)
    print("firmware   %s" % caps.firmware_version)
    print("status     %s   last seen %s" % (status.status, status.last_seen))
    loki = runtime.get("loki") or {}
    if loki.get("url"):
        print("loki       %s (%s)" % (loki.get("url"), loki.get("state")))
    for line in resource_lines(runtime.get("resources") or {}):
        print(line)
    hw = caps.hardware
    if hw is not None:
        print("hardware   sensors: %s; actuators: %s; interfaces: %s" % (
            ", ".join(hw.sensors) or "-", ", ".join(hw.actuators) or "-",
            ", ".join(hw.interfaces) or "-"))  # fmt: skip
    print()
    print("%d tools" % len(caps.tools))
    print(table(("TOOL", "PARAMETERS", "RETURNS", "ACCESS", "DESCRIPTION"), tool_rows(caps)))
    return 0
