# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Table-driven protobuf (proto3) runtime for CircuitPython."""

# (Module docstrings stay short: loaded from .py, MicroPython keeps them in RAM.)
#
# Generated modules (``jotunheim/pb/<proto stem>.py``) keep every message's field table in
# one string, ``TABLES``, and make a message's class when it is first looked up (their
# ``__getattr__`` calls ``message``); this module holds the one generic encoder and decoder
# that walk those tables (the nanopb idea: data, not code).
#
# A parsed field table entry is ``(number, name, kind, flags, sub)``. ``kind`` is the
# descriptor type number: 1 double, 2 float, 3 int64, 4 uint64, 5 int32, 6 fixed64,
# 7 fixed32, 8 bool, 9 string, 11 message, 12 bytes, 13 uint32, 14 enum, 15 sfixed32,
# 16 sfixed64, 17 sint32, 18 sint64 (jotunheim_host.protogen names them). ``flags`` holds
# repeated (1), packed (2), map (4), optional (8) and, shifted left by 4, the 1-based index
# of the field's oneof; so ``flags & 0xFFF8`` means "None when unset". ``sub`` is the
# message class of message fields and (key kind, value kind, value class) of map fields.
# The numbers are written out below rather than named: every name costs a board RAM.
#
# Unset sub-messages, proto3 ``optional`` fields and oneof members read as None; repeated
# fields are lists, maps are dicts. Unknown fields are kept as raw bytes and written back.

import struct

from jotunheim.compat import run_and_forget

MAX_DEPTH = 16  # nesting deeper than this is refused (board stacks are small)
MAX_SIZE = 65536  # default limit for Msg.decode(); pass max_size to change it

# Wire type by kind (index), and the struct letter of the fixed-width kinds.
_WIRE = b"\x00\x01\x05\x00\x00\x00\x01\x05\x00\x02\x02\x02\x02\x00\x00\x05\x01\x00\x00"
_FMT = " df   QI       iq"


class DecodeError(ValueError):
    """Raised when bytes are not a valid encoding of the message (the text says what and where)."""


class Message:
    """Base of every generated protobuf message class."""

    # Fields are plain attributes: defaults live on the class (set when its table is
    # loaded), lists and dicts on each instance.
    _fields = None  # field table, loaded on first use (fields_of)
    _oneofs = ()
    _unknown = None  # raw bytes of fields this version does not know

    def __init__(self, **fields):
        for field in fields_of(self.__class__):
            name = field[1]
            if name in fields:
                setattr(self, name, fields.pop(name))
            elif field[3] & 5:
                setattr(self, name, {} if field[3] & 4 else [])
        if fields:  # what is left names no field
            raise TypeError("%s has no field %s" % (self.__class__.__name__, fields.popitem()[0]))

    def encode(self, out=None):
        """The message's protobuf wire bytes; with ``out`` (a bytearray) they are appended
        to it instead (no copy), and ``out`` is returned."""
        if out is None:
            return bytes(self.encode(bytearray()))
        for number, name, kind, flags, sub in self._fields:
            value = getattr(self, name)
            wire = _WIRE[kind]
            if flags & 4:  # a map: one entry message per key, key and value always written
                for key in value:
                    entry = bytearray()
                    entry.append(8 | _WIRE[sub[0]])
                    write(entry, sub[0], key)
                    entry.append(16 | _WIRE[sub[1]])
                    write(entry, sub[1], value[key])
                    write(out, 4, number << 3 | 2)
                    write(out, 12, entry)
            elif flags & 2:  # packed repeated scalars: one length-delimited run
                if value:
                    entry = bytearray()
                    for key in value:
                        write(entry, kind, key)
                    write(out, 4, number << 3 | 2)
                    write(out, 12, entry)
            elif flags & 1:
                for key in value:
                    write(out, 4, number << 3 | wire)
                    write(out, kind, key)
            elif value or (value is not None and (flags & 0xFFF8 or kind == 11)):
                # proto3: a scalar at its default is not sent unless it has presence
                write(out, 4, number << 3 | wire)
                write(out, kind, value)
        if self._unknown:
            out.extend(self._unknown)
        return out

    @classmethod
    def decode(cls, data, max_size=None):
        """Parse ``data`` (bytes-like). Raises DecodeError on malformed input."""
        size = len(data)
        limit = max_size or MAX_SIZE
        if size > limit:
            raise fail(cls, "", "%d bytes over the %d byte limit" % (size, limit), 0)
        try:
            return _decode(cls, data, 0, size, 0)
        except (IndexError, KeyError, TypeError) as exc:
            # Safety net: a slip past the checks below still surfaces as DecodeError.
            raise fail(cls, "", repr(exc), 0)

    def which_oneof(self, group):
        """Name of the member of oneof ``group`` that is set, or None."""
        index = (self._oneofs.index(group) + 1) << 4
        for field in self._fields:
            if field[3] & 0xFFF0 == index and getattr(self, field[1]) is not None:
                return field[1]
        return None

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return False
        for field in self._fields:
            if getattr(self, field[1]) != getattr(other, field[1]):
                return False
        return self._unknown == other._unknown

    __hash__ = None  # mutable, compared by value


def message(module, name):
    """The message class ``name`` of a generated module (``module`` its globals), made when
    first looked up: the module's ``__getattr__`` calls this, so a board holds only the
    classes it uses. Kept in the module, so every later lookup finds the same class."""
    if module["TABLES"].find("\n" + name + ":") < 0:
        raise AttributeError(name)
    return module.setdefault(name, type(name, (Message,), {"__module__": module["__name__"]}))


def fields_of(cls):
    """The field table of a message class, parsed from its module's ``TABLES`` on first
    use (by :mod:`jotunheim.pb.tables`, forgotten after each use: it runs once a class)."""
    if cls._fields is None:
        oneofs, cls._fields = run_and_forget("jotunheim.pb.tables", "parse", cls)
        if oneofs:
            cls._oneofs = oneofs
    return cls._fields


def _zero(kind):
    """The proto3 default of a scalar kind: what zero bytes decode to."""
    return read(Message, "", bytes(8), 0, 8, _WIRE[kind], kind, None, 0)[0]


def fail(cls, name, text, pos):
    """The DecodeError saying ``text`` of field ``name`` of ``cls`` at byte ``pos``."""
    return DecodeError(
        "%s%s: %s at byte %d" % (cls.__name__, "." + name if name else "", text, pos)
    )


# ---------------------------------------------------------------- decoding


def _decode(cls, buf, pos, end, level):
    if level > MAX_DEPTH:
        raise fail(cls, "", "nesting deeper than %d" % MAX_DEPTH, pos)
    # object.__new__ skips __init__'s keyword dict: decoding allocates per message only
    # the instance, its attributes and its lists.
    msg = object.__new__(cls)
    table = cls._fields or fields_of(cls)
    for field in table:
        if field[3] & 5:
            setattr(msg, field[1], {} if field[3] & 4 else [])
    while pos < end:
        start = pos
        key = buf[pos]  # the field's key: number << 3 | wire type
        pos += 1
        if key > 127:
            key, pos = read(cls, "", buf, start, end, 0, 4, None, level)
        number = key >> 3
        for field in table:
            if field[0] == number:
                break
        else:  # a field this version does not know: kept as it came
            pos = read(cls, "", buf, pos, end, key, 0, None, level)[1]
            msg._unknown = (msg._unknown or b"") + bytes(buf[start:pos])
            continue
        number, name, kind, flags, sub = field
        wire = key & 7
        # Repeated scalars arrive packed (one length-delimited run, read as a list) or
        # one by one.
        if wire != _WIRE[kind] and (wire != 2 or flags & 5 != 1):
            raise fail(cls, name, "wrong wire type %d" % wire, start)
        value, pos = read(cls, name, buf, pos, end, key, kind, sub, level)
        if flags & 4:
            getattr(msg, name)[value[0]] = value[1]
        elif flags & 1:
            if wire == _WIRE[kind]:
                getattr(msg, name).append(value)
            else:
                getattr(msg, name).extend(value)
        else:
            setattr(msg, name, value)
            if flags & 0xFFF0:  # a oneof member: the others are cleared
                for field in table:
                    if field[3] & 0xFFF0 == flags & 0xFFF0 and field[1] != name:
                        setattr(msg, field[1], None)
    return msg


def read(cls, name, buf, pos, end, key, kind, sub, level):
    """(value, position after it) of one value of ``kind`` arriving with the wire type of
    ``key`` (a field's key: number << 3 | wire type). Kind 0 is a field this message does not know: read as the plainest kind of
    its wire type (uint64, fixed64, bytes, fixed32). Length-delimited data of a scalar
    kind is a packed run (a list); of a map field (``sub`` a tuple), an entry (key, value).
    """
    wire = key & 7
    if not kind:  # wire types 3, 4 (groups), 6 and 7 have no kind: refused
        kind = b"\x04\x06\x0c\x00\x00\x07\x00\x00"[wire]
        if not kind or key < 8:
            raise fail(cls, "", "field %d with wire type %d" % (key >> 3, wire), pos)
    if wire == 0 or wire == 2:  # both start with a varint
        if pos < end and buf[pos] < 128:  # the common case: one byte
            value = buf[pos]
            pos += 1
        else:
            value = i = 0
            while True:
                if i > 63:
                    raise fail(cls, name, "varint over 10 bytes", pos)
                if pos >= end:
                    raise fail(cls, name, "truncated varint", pos)
                value |= (buf[pos] & 127) << i
                pos += 1
                if buf[pos - 1] < 128:
                    break
                i += 7
            if i > 56:  # ten bytes: only the low 64 bits count
                value &= (1 << 64) - 1
        if wire == 2:
            start = pos
            pos += value
            if pos > end:
                raise fail(cls, name, "length %d runs past the end" % value, start)
            if kind == 9:
                try:
                    return str(buf[start:pos], "utf-8"), pos
                except UnicodeError:
                    raise fail(cls, name, "invalid UTF-8", start)
            if kind == 12:
                return bytes(buf[start:pos]), pos
            if sub.__class__ is tuple:  # a map entry: [key, value], missing ones default
                entry = [None, None]
                while start < pos:
                    key, start = read(cls, name, buf, start, pos, 0, 4, None, level)
                    i = (key >> 3) - 1  # 0: the key, 1: the value; others are skipped
                    kind = sub[i] if 0 <= i < 2 and key & 7 == _WIRE[sub[i]] else 0
                    value, start = read(cls, name, buf, start, pos, key, kind, sub[2], level)
                    if kind:
                        entry[i] = value
                if entry[0] is None:
                    entry[0] = _zero(sub[0])
                if entry[1] is None:
                    entry[1] = sub[2]() if sub[2] else _zero(sub[1])
                return entry, pos
            if kind == 11:
                return _decode(sub, buf, start, pos, level + 1), pos
            wire = _WIRE[kind]
            size = 8 if wire == 1 else 4
            if wire and value % size:
                raise fail(cls, name, "length not a multiple of %d" % size, start)
            values = []
            while start < pos:
                value, start = read(cls, name, buf, start, pos, wire, kind, None, level)
                values.append(value)
            return values, pos
        # Varint kinds: small values of the non-zigzag kinds need no work.
        if kind == 8:
            return value != 0, pos
        if value >> 31 or kind > 16:
            if kind == 3 and value >> 63:  # int64
                value -= 1 << 64
            elif kind == 18:  # sint64
                value = (value >> 1) ^ -(value & 1)
            elif kind != 3 and kind != 4:  # 32-bit kinds: the low 32 bits count
                value %= 1 << 32
                if kind == 17:  # sint32
                    value = (value >> 1) ^ -(value & 1)
                elif kind != 13 and value >> 31:  # int32, enum
                    value -= 1 << 32
        return value, pos
    size = 8 if wire == 1 else 4
    if pos + size > end:
        raise fail(cls, name, "truncated fixed%d" % (size * 8), pos)
    return struct.unpack_from("<" + _FMT[kind], buf, pos)[0], pos + size


# ---------------------------------------------------------------- encoding


def write(out, kind, value):
    """Append one value of any kind (without its key) to the bytearray ``out``."""
    wire = _WIRE[kind]
    if not wire:  # a varint
        if kind > 16:  # sint32, sint64: zigzag
            value = (value << 1) ^ (value >> 63)
        value = int(value)
        if value < 0 or value >> 64:  # negative: two's complement in 64 bits, as protobuf has it
            value %= 1 << 64
        while value > 127:
            out.append(value & 127 | 128)
            value >>= 7
        out.append(value)
    elif wire == 2:
        if kind == 11:
            value = value.encode(bytearray())
        elif kind == 9:
            value = value.encode("utf-8")
        write(out, 4, len(value))
        out.extend(value)
    else:
        out.extend(struct.pack("<" + _FMT[kind], value))
