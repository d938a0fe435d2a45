# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""What an mDNS answer says: TXT records, ``created_at``, and the leader order.

A leaf: plain values only. An endpoint is a tuple ``(rank, created_at, name, host, port)``
so a handful of them cost a few hundred bytes; sorting the tuples is the leader order.
"""

RANK_CONFIGURED = 0  # an address from settings (network.loki_url) always wins
RANK_CONTROLLER = 1  # then controllers, oldest created_at first
RANK_LOKI = 2  # then plain Loki services, oldest first
UNKNOWN_AGE = 0x7FFFFFFF  # an answer without created_at sorts after every dated one


def txt_list(values: dict) -> list:
    """``["key=value", ...]`` for ``advertise_service(txt_records=...)`` (sorted keys)."""
    return ["%s=%s" % (key, values[key]) for key in sorted(values)]


def parse_txt(records) -> dict:
    """``{"key": "value"}`` from a dict (str or bytes) or a list of ``key=value``."""
    out = {}
    if not records:
        return out
    items = records.items() if isinstance(records, dict) else _pairs(records)
    for key, value in items:
        out[_text(key)] = "" if value is None else _text(value)
    return out


def _text(value) -> str:
    # MicroPython ignores decode's errors argument: a bad byte becomes "?" by hand.
    if not isinstance(value, bytes):
        return str(value)
    try:
        return value.decode("utf-8")
    except UnicodeError:
        return "".join(chr(b) if b < 128 else "?" for b in value)


def _pairs(records):
    for item in records:
        key, _, value = _text(item).partition("=")
        yield key, value


def created_at(txt: dict, instance_name: str = "") -> int:
    """The ``created_at`` of an answer (seconds since 1970): from its TXT records, else
    from an instance name ending ``@<seconds>`` (CircuitPython's ``mdns`` does not hand
    out TXT records), else :data:`UNKNOWN_AGE`."""
    text = txt.get("created_at", "")
    if not text and "@" in instance_name:
        text = instance_name.rpartition("@")[2]
    try:
        value = int(text)
    except ValueError:
        return UNKNOWN_AGE
    return value if value >= 0 else UNKNOWN_AGE


def endpoint(rank: int, service) -> tuple:
    """The endpoint tuple of an ``mdns.RemoteService`` (None without an address)."""
    address = service.ipv4_address
    if address is None or not service.port:
        return None
    txt = parse_txt(getattr(service, "txt_records", None))
    name = service.instance_name or service.hostname
    return (rank, created_at(txt, name), name, str(address), service.port)


def url_of(item: tuple) -> str:
    """``http://host:port`` of an endpoint."""
    return "http://%s:%d" % (item[3], item[4])


def ordered(items) -> list:
    """Endpoints in leader order (configured, controllers, Loki; oldest first),
    one per address."""
    out = []
    seen = []
    for item in sorted(i for i in items if i is not None):
        key = (item[3], item[4])
        if key not in seen:
            seen.append(key)
            out.append(item)
    return out


def device_txt(device) -> dict:
    """The TXT records this device advertises: device id, board, firmware (library
    version), whether calls need a token.

    :param device: the Device (public API only)
    """
    facts = device.builder.detect()
    return {
        "device_id": device.device_id,
        "board": facts.get("board_id") or "unknown",
        "firmware": facts.get("library_version") or "unknown",
        "token": "required" if device.handler.required else "none",
    }
