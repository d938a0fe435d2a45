"""A small table-driven protobuf (proto3) runtime for CircuitPython.

Generated modules (``jotunheim/pb/<proto stem>.py``) declare one class per message and,
in a ``_tables(cls)`` function, a field table for each; this module holds the one generic
encoder and decoder that walk those tables (the nanopb idea: data, not per-field code).

A field table entry is ``(number, name, type, flags, sub)``:

* ``type`` is the descriptor type number (``_DOUBLE`` = 1 ... ``_SINT64`` = 18);
* ``flags`` holds ``_REPEATED``, ``_PACKED``, ``_MAP``, ``_OPTIONAL`` and, shifted by
  ``_ONEOF_SHIFT``, the 1-based index of the field's oneof;
* ``sub`` is the message class (messages, map entries) or None.

Unset singular sub-messages, proto3 ``optional`` fields and oneof members read as None;
repeated fields are lists, maps are dicts. Unknown fields are kept as raw bytes and
written back on encode.
"""

import struct
import sys

try:
    from micropython import const
except ImportError:

    def const(value):
        return value


__version__ = "0.0.0+auto.0"
__repo__ = "https://github.com/edda-platform/jotunheim.git"

MAX_DEPTH = 32  # nesting deeper than this is refused
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
_ENUM = const(14)
_SINT32 = const(17)
_SINT64 = const(18)

_REPEATED = const(1)
_PACKED = const(2)
_MAP = const(4)
_OPTIONAL = const(8)
_ONEOF_SHIFT = const(4)
_PRESENCE = const(0xFFF8)  # optional or oneof member: None means unset

_U64 = const(0xFFFFFFFFFFFFFFFF)
_U32 = const(0xFFFFFFFF)

# Wire type by descriptor type number (index), and struct formats of fixed-width types.
_WIRE = b"\x00\x01\x05\x00\x00\x00\x01\x05\x00\x02\x02\x02\x02\x00\x00\x05\x01\x00\x00"
_FMT = ("", "<d", "<f", "", "", "", "<Q", "<I", "", "", "", "", "", "", "", "<i", "<q")

_STRUCT_ERROR = getattr(struct, "error", ValueError)  # MicroPython raises ValueError

# Decoder "modes": what to do with a decoded value.
_SET = const(0)
_APPEND = const(1)
_ONEOF = const(2)
_MAPPUT = const(3)
_PACKED_IN = const(4)


class DecodeError(ValueError):
    """The bytes are not a valid encoding of the message (says what and where)."""


class Message:
    """Base class of every generated message. Fields are plain attributes."""

    _fields = None  # the field table, loaded from the module's _tables() on first use
    _oneofs = ()  # oneof names, in declaration order
    _lists = ()  # names of repeated fields (fresh list per instance)
    _maps = ()  # names of map fields (fresh dict per instance)
    _dec = None  # tag -> decoder entry, built on first decode
    _enc = None  # encoder table, built on first encode
    _unknown = None  # raw bytes of fields this version does not know

    def __init__(self, **fields):
        if self._fields is None:
            fields_of(self.__class__)
        for name in self._lists:
            setattr(self, name, [])
        for name in self._maps:
            setattr(self, name, {})
        for name in fields:
            if not (hasattr(self.__class__, name) or name in self._lists or name in self._maps):
                raise TypeError("%s has no field %r" % (self.__class__.__name__, name))
            setattr(self, name, fields[name])

    def encode(self) -> bytes:
        """The message's protobuf wire bytes."""
        out = bytearray()
        _encode(self, out)
        return bytes(out)

    @classmethod
    def decode(cls, data, max_size=None):
        """Parse ``data`` (bytes-like). Raises DecodeError on malformed input."""
        limit = MAX_SIZE if max_size is None else max_size
        if len(data) > limit:
            raise DecodeError(
                "%s: %d bytes is over the %d byte limit" % (cls.__name__, len(data), limit)
            )
        try:
            return _decode(cls, data, 0, len(data), 0)
        except DecodeError:
            raise
        except (IndexError, ValueError, TypeError, KeyError, _STRUCT_ERROR) as exc:
            # Safety net: any slip in the checks below still surfaces as DecodeError.
            raise DecodeError("%s: malformed (%r)" % (cls.__name__, exc))

    def which_oneof(self, group):
        """Name of the member of oneof ``group`` that is set, or None."""
        index = self._oneofs.index(group) + 1
        for f in self._fields:
            if f[3] >> _ONEOF_SHIFT == index and getattr(self, f[1]) is not None:
                return f[1]
        return None

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        for f in self._fields:
            if getattr(self, f[1]) != getattr(other, f[1]):
                return False
        return self._unknown == other._unknown

    __hash__ = None  # mutable, compared by value

    def __repr__(self):
        parts = []
        for f in self._fields:
            value = getattr(self, f[1])
            if value or (value is not None and f[3] & _PRESENCE):
                parts.append("%s=%r" % (f[1], value))
        return "%s(%s)" % (self.__class__.__name__, ", ".join(parts))


def fields_of(cls):
    """The field table of a message class, loading it on first use.

    A generated module keeps its tables as one string, ``_TABLES``, with a line per
    message: ``Class:oneofs:number name type flags [sub];...``. Importing the module
    costs only its classes; a table is built when its message is first used.
    """
    if cls._fields is None:
        module = sys.modules[cls.__module__]
        text = module._TABLES
        key = "\n" + cls.__name__ + ":"
        start = text.find(key) + len(key)
        oneofs, spec = text[start : text.find("\n", start)].split(":")
        fields = []
        lists = []
        maps = []
        for row in spec.split(";") if spec else ():
            parts = row.split(" ")
            name, ftype, flags = parts[1], int(parts[2]), int(parts[3])
            sub = _resolve(module, parts[4]) if len(parts) > 4 else None
            fields.append((int(parts[0]), name, ftype, flags, sub))
            if flags & _MAP:
                maps.append(name)
            elif flags & _REPEATED:
                lists.append(name)
            else:
                setattr(cls, name, _default(ftype, flags))
        cls._lists = tuple(lists)
        cls._maps = tuple(maps)
        cls._oneofs = tuple(oneofs.split(",")) if oneofs else ()
        cls._fields = tuple(fields)
    return cls._fields


def _resolve(module, name):
    """A message class by name: "Msg" in this module, "stem.Msg" in an imported one."""
    if "." in name:
        stem, name = name.split(".")
        module = getattr(module, "_" + stem)
    return getattr(module, name)


def _default(ftype, flags):
    if flags & _PRESENCE or ftype == _MESSAGE:
        return None
    if ftype == _STRING:
        return ""
    if ftype == _BYTES:
        return b""
    if ftype == _BOOL:
        return False
    if ftype == _DOUBLE or ftype == _FLOAT:
        return 0.0
    return 0


# ---------------------------------------------------------------- decoding


def _compile_decoder(cls):
    """tag -> (type, name, sub, mode, oneof peers). Packed and unpacked both accepted."""
    table = {}
    for number, name, ftype, flags, sub in cls._fields:
        wire = _WIRE[ftype]
        peers = None
        if flags & _MAP:
            mode = _MAPPUT
        elif flags & _REPEATED:
            mode = _APPEND
            if wire != 2:  # scalar numeric: also accept the packed form
                table[number << 3 | 2] = (ftype, name, sub, _PACKED_IN, None)
        elif flags >> _ONEOF_SHIFT:
            mode = _ONEOF
            group = flags >> _ONEOF_SHIFT
            peers = tuple(
                f[1] for f in cls._fields if f[3] >> _ONEOF_SHIFT == group and f[1] != name
            )
        else:
            mode = _SET
        table[number << 3 | wire] = (ftype, name, sub, mode, peers)
    cls._dec = table
    return table


def _varint(buf, pos, end):
    """Read a varint at pos; returns (value, new pos)."""
    result = 0
    shift = 0
    while True:
        if pos >= end:
            raise DecodeError("truncated varint at byte %d" % pos)
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result & _U64, pos
        shift += 7
        if shift >= 70:
            raise DecodeError("varint over 10 bytes at byte %d" % pos)


def _skip(buf, pos, end, tag):
    """Skip the value of an unknown field; returns the position after it."""
    wire = tag & 7
    if wire == 0:
        return _varint(buf, pos, end)[1]
    if wire == 1:
        pos += 8
    elif wire == 5:
        pos += 4
    elif wire == 2:
        n, pos = _varint(buf, pos, end)
        pos += n
    else:
        raise DecodeError("field %d: unsupported wire type %d at byte %d" % (tag >> 3, wire, pos))
    if pos > end:
        raise DecodeError("field %d: value runs past the end (byte %d)" % (tag >> 3, pos))
    return pos


def _scalar(ftype, v):
    """Convert a raw varint to the field's Python value."""
    if ftype == _BOOL:
        return v != 0
    if ftype == _INT64 or ftype == _ENUM or ftype == _INT32:
        if ftype != _INT64:
            v &= _U32
            return v - 0x100000000 if v > 0x7FFFFFFF else v
        return v - 0x10000000000000000 if v > 0x7FFFFFFFFFFFFFFF else v
    if ftype == _UINT32:
        return v & _U32
    if ftype == _SINT32 or ftype == _SINT64:
        if ftype == _SINT32:
            v &= _U32
        return (v >> 1) ^ -(v & 1)
    return v  # _UINT64


def _decode(cls, buf, pos, end, depth):
    if depth > MAX_DEPTH:
        raise DecodeError("%s: nesting deeper than %d at byte %d" % (cls.__name__, MAX_DEPTH, pos))
    msg = cls()
    table = cls._dec or _compile_decoder(cls)
    while pos < end:
        start = pos
        tag = buf[pos]
        pos += 1
        if tag >= 0x80:
            tag, pos = _varint(buf, start, end)
        entry = table.get(tag)
        if entry is None:
            if tag >> 3 == 0:
                raise DecodeError("%s: field number 0 at byte %d" % (cls.__name__, start))
            _check_known_wire(cls, tag, start)
            pos = _skip(buf, pos, end, tag)
            msg._unknown = (msg._unknown or b"") + bytes(buf[start:pos])
            continue
        ftype, name, sub, mode, peers = entry
        wire = tag & 7
        if wire == 2:
            n = buf[pos] if pos < end else 0x80
            if n < 0x80:
                pos += 1
            else:
                n, pos = _varint(buf, pos, end)
            stop = pos + n
            if stop > end:
                raise DecodeError(
                    "%s.%s: length %d at byte %d runs past the end (%d)"
                    % (cls.__name__, name, n, pos, end)
                )
            if ftype == _STRING:
                try:
                    value = str(buf[pos:stop], "utf-8")
                except UnicodeError:
                    raise DecodeError("%s.%s: invalid UTF-8 at byte %d" % (cls.__name__, name, pos))
            elif ftype == _MESSAGE:
                value = _decode(sub, buf, pos, stop, depth + 1)
            elif ftype == _BYTES:
                value = bytes(buf[pos:stop])
            else:  # packed repeated scalars
                _decode_packed(buf, pos, stop, ftype, getattr(msg, name), cls, name)
                pos = stop
                continue
            pos = stop
        elif wire == 0:
            if pos < end and buf[pos] < 0x80:
                value = buf[pos]
                pos += 1
            else:
                value, pos = _varint(buf, pos, end)
            if ftype != _UINT64:
                value = _scalar(ftype, value)
        else:
            size = 8 if wire == 1 else 4
            if pos + size > end:
                raise DecodeError(
                    "%s.%s: truncated fixed%d at byte %d" % (cls.__name__, name, size * 8, pos)
                )
            value = struct.unpack_from(_FMT[ftype], buf, pos)[0]
            pos += size
        if mode == _SET:
            setattr(msg, name, value)
        elif mode == _APPEND:
            getattr(msg, name).append(value)
        elif mode == _ONEOF:
            setattr(msg, name, value)
            for peer in peers:
                setattr(msg, peer, None)
        else:  # _MAPPUT: value is the entry message
            key = value.key
            val = value.value
            if val is None and sub._fields[1][2] == _MESSAGE:
                val = sub._fields[1][4]()
            getattr(msg, name)[key] = val
    if pos != end:
        raise DecodeError(
            "%s: value runs past the end of its container (byte %d)" % (cls.__name__, pos)
        )
    return msg


def _check_known_wire(cls, tag, start):
    number = tag >> 3
    for f in cls._fields:
        if f[0] == number:
            raise DecodeError(
                "%s.%s: wrong wire type %d at byte %d" % (cls.__name__, f[1], tag & 7, start)
            )


def _decode_packed(buf, pos, end, ftype, target, cls, name):
    wire = _WIRE[ftype]
    if wire == 0:
        while pos < end:
            value, pos = _varint(buf, pos, end)
            target.append(_scalar(ftype, value))
        return
    size = 8 if wire == 1 else 4
    if (end - pos) % size:
        raise DecodeError("%s.%s: packed length not a multiple of %d" % (cls.__name__, name, size))
    fmt = _FMT[ftype]
    while pos < end:
        target.append(struct.unpack_from(fmt, buf, pos)[0])
        pos += size


# ---------------------------------------------------------------- encoding


def _key(number, wire):
    out = bytearray()
    _put_varint(out, number << 3 | wire)
    return bytes(out)


def _compile_encoder(cls):
    """Per field: (key bytes, type, name, flags, sub, packed-key bytes)."""
    table = []
    for number, name, ftype, flags, sub in cls._fields:
        wire = _WIRE[ftype]
        packed = flags & _PACKED and wire != 2
        key = _key(number, 2 if packed else wire)
        table.append((key, ftype, name, flags, sub, packed))
    cls._enc = table
    return table


def _put_varint(out, v):
    if v < 0:
        v &= _U64
    while v > 0x7F:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)


def _put_scalar(out, ftype, v):
    """Append one non-length-delimited value."""
    if ftype == _SINT32 or ftype == _SINT64:
        v = (v << 1) ^ (v >> 63) if ftype == _SINT64 else (v << 1) ^ (v >> 31)
        _put_varint(out, v)
    elif _WIRE[ftype] == 0:
        _put_varint(out, int(v))
    else:
        out.extend(struct.pack(_FMT[ftype], v))


def _put_value(out, ftype, sub, v):
    """Append a value of any type (no key)."""
    if ftype == _STRING:
        data = v.encode("utf-8")
        _put_varint(out, len(data))
        out.extend(data)
    elif ftype == _MESSAGE:
        inner = bytearray()
        _encode(v, inner)
        _put_varint(out, len(inner))
        out.extend(inner)
    elif ftype == _BYTES:
        _put_varint(out, len(v))
        out.extend(v)
    else:
        _put_scalar(out, ftype, v)


def _encode(msg, out):
    table = msg._enc or _compile_encoder(msg.__class__)
    for key, ftype, name, flags, sub, packed in table:
        v = getattr(msg, name)
        if flags & _MAP:
            if v:
                _put_map(out, key, sub, v)
        elif flags & _REPEATED:
            if not v:
                continue
            if packed:
                body = bytearray()
                for item in v:
                    _put_scalar(body, ftype, item)
                out.extend(key)
                _put_varint(out, len(body))
                out.extend(body)
            else:
                for item in v:
                    out.extend(key)
                    _put_value(out, ftype, sub, item)
        elif v is None:
            continue
        elif v or flags & _PRESENCE or ftype == _MESSAGE:
            # proto3: a scalar at its default is not sent unless it has presence
            out.extend(key)
            _put_value(out, ftype, sub, v)
    if msg._unknown:
        out.extend(msg._unknown)


def _put_map(out, key, entry_cls, mapping):
    kfield, vfield = fields_of(entry_cls)
    kkey = _key(1, _WIRE[kfield[2]])
    vkey = _key(2, _WIRE[vfield[2]])
    for k in mapping:
        body = bytearray(kkey)
        _put_value(body, kfield[2], None, k)
        body.extend(vkey)
        _put_value(body, vfield[2], vfield[4], mapping[k])
        out.extend(key)
        _put_varint(out, len(body))
        out.extend(body)
