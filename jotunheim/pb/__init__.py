# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Table-driven protobuf (proto3) runtime for CircuitPython."""

# (Module docstrings stay short: loaded from .py, MicroPython keeps them in RAM.)
#
# Generated modules (``jotunheim/pb/<proto stem>.py``) declare one class per message and
# keep every message's field table in one string, ``TABLES``; this module holds the one
# generic encoder and decoder that walk those tables (the nanopb idea: data, not code).
#
# A parsed field table entry is ``(number, name, type, flags, sub)``: ``type`` is the
# descriptor type number (DOUBLE = 1 ... SINT64 = 18); ``flags`` holds REPEATED (1),
# PACKED (2), MAP (4), OPTIONAL (8) and, shifted left by 4, the 1-based index of the
# field's oneof; ``sub`` is the message class of message fields and (key type, value
# type, value class) of map fields.
#
# Unset sub-messages, proto3 ``optional`` fields and oneof members read as None; repeated
# fields are lists, maps are dicts. Unknown fields are kept as raw bytes and written back.

import struct
import sys

try:
    from micropython import const
except ImportError:

    def const(value):
        return value


__repo__ = "https://github.com/edda-platform/jotunheim.git"

MAX_DEPTH = 16  # nesting deeper than this is refused (board stacks are small)
MAX_SIZE = 65536  # default limit for Msg.decode(); pass max_size to change it

# Descriptor type numbers and flag bits (private: const() folds them away on a board;
# jotunheim_host.protogen has the public names).
_DOUBLE = const(1)
_FLOAT = const(2)
_INT64 = const(3)
_UINT64 = const(4)
_INT32 = const(5)
_BOOL = const(8)
_STRING = const(9)
_MESSAGE = const(11)
_BYTES = const(12)
_UINT32 = const(13)
_SINT32 = const(17)
_SINT64 = const(18)

_REPEATED = const(1)
_PACKED = const(2)
_MAP = const(4)
_PRESENCE = const(0xFFF8)  # optional or oneof member: None means unset
_U64 = const(0xFFFFFFFFFFFFFFFF)

# Wire type by descriptor type number (index), and struct formats of fixed-width types.
_WIRE = b"\x00\x01\x05\x00\x00\x00\x01\x05\x00\x02\x02\x02\x02\x00\x00\x05\x01\x00\x00"
_FMT = ("", "<d", "<f", "", "", "", "<Q", "<I", "", "", "", "", "", "", "", "<i", "<q")
_STRUCT_ERROR = getattr(struct, "error", ValueError)  # MicroPython raises ValueError

# What the decoder does with a value: set, append, set a oneof member, put in a map.
_SET = const(0)
_APPEND = const(1)
_ONEOF = const(2)
_MAPPUT = const(3)


class DecodeError(ValueError):
    """Raised when bytes are not a valid encoding of the message (the text says what and where)."""


class Message:
    """Base of every generated protobuf message class."""

    # Base of every generated message; fields are plain attributes, defaults live on
    # the class (set when its table is loaded), lists and dicts on each instance.
    _fields = None  # field table, loaded on first use (fields_of)
    _oneofs = ()
    _lists = ()
    _maps = ()
    _dec = None  # tag -> decoder entry
    _enc = None  # encoder table
    _unknown = None  # raw bytes of fields this version does not know

    def __init__(self, **fields):
        cls = self.__class__
        if cls._fields is None:
            fields_of(cls)
        for name in cls._lists:
            setattr(self, name, [])
        for name in cls._maps:
            setattr(self, name, {})
        for name in fields:
            if not (hasattr(cls, name) or name in cls._lists or name in cls._maps):
                raise TypeError("%s has no field %s" % (cls.__name__, name))
            setattr(self, name, fields[name])

    def encode(self) -> bytes:
        """The message's protobuf wire bytes."""
        out = bytearray()
        _encode(self, out)
        return bytes(out)

    @classmethod
    def decode(cls, data, max_size=None):
        """Parse ``data`` (bytes-like). Raises DecodeError on malformed input."""
        size = len(data)
        if size > (max_size or MAX_SIZE):
            raise _fail(
                cls, "", "%d bytes is over the %d byte limit" % (size, max_size or MAX_SIZE), 0
            )
        try:
            return _decode(cls, data, 0, size, 0)
        except (IndexError, KeyError, TypeError, _STRUCT_ERROR) as exc:
            # Safety net: a slip past the checks below still surfaces as DecodeError.
            raise _fail(cls, "", repr(exc), 0)

    def which_oneof(self, group):
        """Name of the member of oneof ``group`` that is set, or None."""
        index = (self._oneofs.index(group) + 1) << 4
        for f in self._fields:
            if f[3] & 0xFFF0 == index and getattr(self, f[1]) is not None:
                return f[1]
        return None

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return False
        for f in self._fields:
            if getattr(self, f[1]) != getattr(other, f[1]):
                return False
        return self._unknown == other._unknown

    __hash__ = None  # mutable, compared by value


def fields_of(cls):
    """The field table of a message class, parsed from its module's ``TABLES`` on first
    use (a line per message: ``Class:oneofs:[number] name type [flags [sub]];...``, the
    number left out when it is the previous one + 1), so importing a module costs only
    its classes."""
    if cls._fields is None:
        module = sys.modules[cls.__module__]
        text = module.TABLES
        key = "\n" + cls.__name__ + ":"
        start = text.find(key) + len(key)
        oneofs, spec = text[start : text.find("\n", start)].split(":")
        fields = []
        number = 0
        for row in spec.split(";") if spec else ():
            parts = row.split(" ")
            if parts[0].isdigit():  # the field number, when it is not previous + 1
                number = int(parts.pop(0)) - 1
            number += 1
            name, ftype = parts[0], int(parts[1])
            flags = int(parts[2]) if len(parts) > 2 else 0
            sub = _resolve(module, parts[3]) if len(parts) > 3 else None
            if flags & _MAP:  # "key type,value type[,value message]"
                spec = parts[3].split(",")
                sub = (
                    int(spec[0]),
                    int(spec[1]),
                    _resolve(module, spec[2]) if len(spec) > 2 else None,
                )
            fields.append((number, name, ftype, flags, sub))
            if flags & _MAP:
                cls._maps += (name,)
            elif flags & _REPEATED:
                cls._lists += (name,)
            else:
                setattr(cls, name, _default(ftype, flags))
        cls._oneofs = tuple(oneofs.split(",")) if oneofs else ()
        cls._fields = tuple(fields)
    return cls._fields


def _resolve(module, name):
    # "Msg" in this module, "stem.Msg" in an imported one; map specs resolve later.
    if "," in name:
        return None
    path = name.split(".")
    return getattr(getattr(module, "_" + path[0]) if len(path) > 1 else module, path[-1])


def _default(ftype, flags):
    if flags & _PRESENCE or ftype == _MESSAGE:
        return None
    if ftype == _STRING:
        return ""
    if ftype == _BYTES:
        return b""
    if ftype == _BOOL:
        return False
    return 0.0 if ftype <= _FLOAT else 0


def _fail(cls, name, what, pos):
    return DecodeError(
        "%s%s: %s at byte %d" % (cls.__name__, "." + name if name else "", what, pos)
    )


# ---------------------------------------------------------------- decoding


def _compile_decoder(cls):
    """tag -> (type, name, sub, mode, oneof peers); repeated scalars accept both the
    packed (wire type 2) and the unpacked form."""
    table = {}
    for number, name, ftype, flags, sub in cls._fields:
        wire = _WIRE[ftype]
        peers = None
        group = flags & 0xFFF0
        if flags & _MAP:
            mode = _MAPPUT
        elif flags & _REPEATED:
            mode = _APPEND
            if wire != 2:
                table[number << 3 | 2] = (ftype, name, sub, _APPEND, None)
        elif group:
            mode = _ONEOF
            peers = [f[1] for f in cls._fields if f[3] & 0xFFF0 == group and f[1] != name]
        else:
            mode = _SET
        table[number << 3 | wire] = (ftype, name, sub, mode, peers)
    cls._dec = table
    return table


def _varint(buf, pos, end):
    """(value, position after it) of the varint at pos."""
    result = 0
    shift = 0
    while shift < 70:
        if pos >= end:
            raise DecodeError("truncated varint at byte %d" % pos)
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result & _U64, pos
        shift += 7
    raise DecodeError("varint over 10 bytes at byte %d" % pos)


def _scalar(ftype, v):
    """The Python value of a raw varint."""
    if ftype == _BOOL:
        return v != 0
    if ftype == _UINT64:
        return v
    if ftype == _INT64:
        return v - (1 << 64) if v >> 63 else v
    if ftype == _SINT64:
        return (v >> 1) ^ -(v & 1)
    v &= 0xFFFFFFFF
    if ftype == _SINT32:
        return (v >> 1) ^ -(v & 1)
    if ftype == _UINT32:
        return v
    return v - (1 << 32) if v >> 31 else v  # int32, enum


def _decode(cls, buf, pos, end, depth):
    if depth > MAX_DEPTH:
        raise _fail(cls, "", "nesting deeper than %d" % MAX_DEPTH, pos)
    # object.__new__ skips __init__'s keyword dict: decoding allocates per message only
    # the instance, its attributes and its lists.
    msg = object.__new__(cls)
    if cls._fields is None:
        fields_of(cls)
    for name in cls._lists:
        setattr(msg, name, [])
    for name in cls._maps:
        setattr(msg, name, {})
    table = cls._dec or _compile_decoder(cls)
    while pos < end:
        start = pos
        tag = buf[pos]
        pos += 1
        if tag >= 0x80:
            tag, pos = _varint(buf, start, end)
        entry = table.get(tag)
        if entry is None:
            for f in cls._fields:
                if f[0] == tag >> 3:
                    raise _fail(cls, f[1], "wrong wire type %d" % (tag & 7), start)
            pos = _skip(cls, buf, pos, end, tag)
            msg._unknown = (msg._unknown or b"") + bytes(buf[start:pos])
            continue
        ftype, name, sub, mode, peers = entry
        wire = tag & 7
        # The common cases are read inline (no (value, pos) tuple per field).
        if wire == 0:
            if pos < end and buf[pos] < 0x80:
                value = buf[pos]
                pos += 1
            else:
                value, pos = _varint(buf, pos, end)
            if ftype == _BOOL:
                value = value != 0
            elif value >> 31 or ftype >= _SINT32:  # small non-zigzag values need no work
                value = _scalar(ftype, value)
        elif wire == 2:
            if pos < end and buf[pos] < 0x80:
                n = buf[pos]
                pos += 1
            else:
                n, pos = _varint(buf, pos, end)
            stop = pos + n
            if stop > end:
                _end(cls, name, pos, n, end)
            if ftype == _STRING:
                try:
                    value = str(buf[pos:stop], "utf-8")
                except UnicodeError:
                    raise _fail(cls, name, "invalid UTF-8", pos)
            elif mode == _MAPPUT:
                key, value = _decode_entry(cls, name, buf, pos, stop, sub, depth)
                getattr(msg, name)[key] = value
                pos = stop
                continue
            elif ftype == _MESSAGE:
                value = _decode(sub, buf, pos, stop, depth + 1)
            elif ftype == _BYTES:
                value = bytes(buf[pos:stop])
            else:
                _decode_packed(cls, name, buf, pos, stop, ftype, getattr(msg, name))
                pos = stop
                continue
            pos = stop
        else:
            value, pos = _read(cls, name, buf, pos, end, wire, ftype, sub, depth)
        if mode == _SET:
            setattr(msg, name, value)
        elif mode == _APPEND:
            getattr(msg, name).append(value)
        else:  # a oneof member: the others are cleared
            setattr(msg, name, value)
            for peer in peers:
                setattr(msg, peer, None)
    return msg


def _skip(cls, buf, pos, end, tag):
    """Position after the value of a field this message does not know: read as the
    plainest type of its wire type (uint64, fixed64, bytes, fixed32)."""
    wire = tag & 7
    if tag < 8 or wire not in (0, 1, 2, 5):
        raise _fail(cls, "", "field %d with wire type %d" % (tag >> 3, wire), pos)
    return _read(cls, "", buf, pos, end, wire, b"\x04\x06\x0c\x00\x00\x07"[wire], None, 0)[1]


def _end(cls, name, pos, n, end):
    if pos + n > end:
        raise _fail(cls, name, "length %d runs past the end (%d)" % (n, end), pos)
    return pos + n


def _read(cls, name, buf, pos, end, wire, ftype, sub, depth):
    """(value, position after it) of one value of type ftype arriving with wire type."""
    if wire == 0:
        if pos < end and buf[pos] < 0x80:
            return _scalar(ftype, buf[pos]), pos + 1
        value, pos = _varint(buf, pos, end)
        return _scalar(ftype, value), pos
    if wire == 2:
        n, pos = _varint(buf, pos, end)
        stop = _end(cls, name, pos, n, end)
        if ftype == _MESSAGE:
            return _decode(sub, buf, pos, stop, depth + 1), stop
        if ftype == _BYTES:
            return bytes(buf[pos:stop]), stop
        try:
            return str(buf[pos:stop], "utf-8"), stop
        except UnicodeError:
            raise _fail(cls, name, "invalid UTF-8", pos)
    size = 8 if wire == 1 else 4
    if pos + size > end:
        raise _fail(cls, name, "truncated fixed%d" % (size * 8), pos)
    return struct.unpack_from(_FMT[ftype], buf, pos)[0], pos + size


def _decode_entry(cls, name, buf, pos, end, sub, depth):
    """(key, value) of one map entry; sub is (key type, value type, value class)."""
    key = value = None
    while pos < end:
        tag, pos = _varint(buf, pos, end)
        number, wire = tag >> 3, tag & 7
        if (number == 1 or number == 2) and wire == _WIRE[sub[number - 1]]:
            item, pos = _read(cls, name, buf, pos, end, wire, sub[number - 1], sub[2], depth)
            if number == 1:
                key = item
            else:
                value = item
        else:
            pos = _skip(cls, buf, pos, end, tag)
    if key is None:
        key = _default(sub[0], 0)
    if value is None:
        value = sub[2]() if sub[2] else _default(sub[1], 0)
    return key, value


def _decode_packed(cls, name, buf, pos, end, ftype, target):
    wire = _WIRE[ftype]
    size = 8 if wire == 1 else 4
    if wire and (end - pos) % size:
        raise _fail(cls, name, "packed length not a multiple of %d" % size, pos)
    while pos < end:
        if wire:
            target.append(struct.unpack_from(_FMT[ftype], buf, pos)[0])
            pos += size
        else:
            value, pos = _varint(buf, pos, end)
            target.append(_scalar(ftype, value))


# ---------------------------------------------------------------- encoding


def _key(number, wire):
    out = bytearray()
    _put_varint(out, number << 3 | wire)
    return bytes(out)


def _compile_encoder(cls):
    """Per field: (key bytes, type, name, flags, sub, packed)."""
    table = []
    for number, name, ftype, flags, sub in cls._fields:
        packed = flags & _PACKED and _WIRE[ftype] != 2
        table.append((_key(number, 2 if packed else _WIRE[ftype]), ftype, name, flags, sub, packed))
    cls._enc = table
    return table


def _put_varint(out, v):
    v &= _U64
    while v > 0x7F:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def _put_value(out, ftype, v):
    """Append one value of any type (without its key)."""
    if ftype == _STRING or ftype == _BYTES:
        if ftype == _STRING:
            v = v.encode("utf-8")
        _put_varint(out, len(v))
        out.extend(v)
    elif ftype == _MESSAGE:
        inner = bytearray()
        _encode(v, inner)
        _put_varint(out, len(inner))
        out.extend(inner)
    elif ftype == _SINT32 or ftype == _SINT64:
        _put_varint(out, (v << 1) ^ (v >> 63))
    elif _WIRE[ftype]:
        out.extend(struct.pack(_FMT[ftype], v))
    else:
        _put_varint(out, int(v))


def _encode(msg, out):
    for key, ftype, name, flags, sub, packed in msg._enc or _compile_encoder(msg.__class__):
        v = getattr(msg, name)
        if flags & _MAP:
            for k in v:
                entry = bytearray(_key(1, _WIRE[sub[0]]))
                _put_value(entry, sub[0], k)
                entry.extend(_key(2, _WIRE[sub[1]]))
                _put_value(entry, sub[1], v[k])
                out.extend(key)
                _put_varint(out, len(entry))
                out.extend(entry)
        elif flags & _REPEATED:
            if packed and v:
                body = bytearray()
                for item in v:
                    _put_value(body, ftype, item)
                out.extend(key)
                _put_varint(out, len(body))
                out.extend(body)
            else:
                for item in v:
                    out.extend(key)
                    _put_value(out, ftype, item)
        elif v or (v is not None and (flags & _PRESENCE or ftype == _MESSAGE)):
            # proto3: a scalar at its default is not sent unless it has presence
            out.extend(key)
            _put_value(out, ftype, v)
    if msg._unknown:
        out.extend(msg._unknown)
