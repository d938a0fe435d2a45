# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Shared helpers for the codec tests: hypothesis strategies built from the field tables,
and converters between jotunheim.pb messages, betterproto and Google protobuf."""

import importlib
import math

import betterproto
from google.protobuf import descriptor_pool, message_factory
from hypothesis import strategies as st

from jotunheim import pb
from jotunheim_host import protogen
from jotunheim_host import protogen as pt

# (our module, betterproto module, proto dir) for every contract under test
MODULES = [
    ("jotunheim.pb.loki", "jotunheim_host.reference_pb.loki", "proto"),
    (
        "jotunheim.pb.jotunheim_capability",
        "jotunheim_host.reference_pb.jotunheim.capability",
        "proto",
    ),
    ("jotunheim.pb.jotunheim", "jotunheim_host.reference_pb.jotunheim", "proto"),
    ("jotunheim.pb.einherjar", "jotunheim_host.reference_pb.einherjar", "proto"),
    ("jotunheim.pb.jotunheim_stream", "jotunheim_host.reference_pb.jotunheim.stream", "proto"),
    ("tests.pb_gen.kitchen_sink", "tests.pb_gen.ref.kitchen", "tests/proto"),
]

PACKAGES = {
    "loki": "loki",
    "jotunheim_capability": "jotunheim.capability",
    "jotunheim": "jotunheim",
    "einherjar": "einherjar",
    "jotunheim_stream": "jotunheim.stream",
    "kitchen_sink": "kitchen",
}


def full_name(cls):
    """The proto name of a generated class ("loki.ScriptChunk", "kitchen.Node.Label")."""
    return PACKAGES[cls.__module__.rsplit(".", 1)[1]] + "." + cls.__name__.replace("_", ".")


def message_classes():
    """[(our class, betterproto class, full proto name)] for every non-map-entry message."""
    out = []
    for ours_name, ref_name, _ in MODULES:
        ours = importlib.import_module(ours_name)
        ref = importlib.import_module(ref_name)
        # A module makes its classes on first lookup: its TABLES lines name them.
        for line in ours.TABLES.strip().split("\n"):
            name = line.split(":", 1)[0]
            cls = getattr(ours, name)
            assert issubclass(cls, pb.Message) and cls.__module__ == ours.__name__
            ref_cls = getattr(ref, name.replace("_", ""))
            out.append((cls, ref_cls, full_name(cls)))
    return out


# ------------------------------------------------------------- strategies

_INT_RANGES = {
    pt.INT32: (-(2**31), 2**31 - 1),
    pt.SINT32: (-(2**31), 2**31 - 1),
    pt.SFIXED32: (-(2**31), 2**31 - 1),
    pt.UINT32: (0, 2**32 - 1),
    pt.FIXED32: (0, 2**32 - 1),
    pt.INT64: (-(2**63), 2**63 - 1),
    pt.SINT64: (-(2**63), 2**63 - 1),
    pt.SFIXED64: (-(2**63), 2**63 - 1),
    pt.UINT64: (0, 2**64 - 1),
    pt.FIXED64: (0, 2**64 - 1),
}


def _enum_values(cls, field_name):
    """Values of the enum a kitchen-sink field uses (only kitchen_sink has enums)."""
    module = importlib.import_module(cls.__module__)
    return [v for k, v in vars(module.Color).items() if not k.startswith("_")]


def scalar_strategy(ftype, cls=None, name=None):
    if ftype in _INT_RANGES:
        lo, hi = _INT_RANGES[ftype]
        return st.one_of(st.integers(lo, hi), st.sampled_from([lo, hi, 0, 1, -1 if lo < 0 else 2]))
    if ftype == pt.BOOL:
        return st.booleans()
    if ftype == pt.STRING:
        return st.text(max_size=40)
    if ftype == pt.BYTES:
        return st.binary(max_size=40)
    if ftype == pt.DOUBLE:
        return st.floats(allow_nan=False)
    if ftype == pt.FLOAT:
        return st.floats(allow_nan=False, width=32)
    if ftype == pt.ENUM:
        return st.sampled_from(_enum_values(cls, name))
    raise AssertionError(ftype)


def message_strategy(cls, depth=0):
    """Random instances of a jotunheim.pb class, nesting bounded by depth."""
    parts = {}
    oneof_groups = {}
    for _num, name, ftype, flags, sub in pb.fields_of(cls):
        group = flags >> pt.ONEOF_SHIFT
        if ftype == pt.MESSAGE and not flags & pt.MAP:
            value = message_strategy(sub, depth + 1) if depth < 3 else st.none()
        elif flags & pt.MAP:
            ktype, vtype, vcls = sub
            if vtype == pt.MESSAGE:
                vs = message_strategy(vcls, depth + 1)
            else:
                vs = scalar_strategy(vtype, cls)
            if vtype == pt.MESSAGE and depth >= 3:
                value = st.just({})
            else:
                value = st.dictionaries(scalar_strategy(ktype, cls), vs, max_size=4)
        else:
            value = scalar_strategy(ftype, cls, name)
        if flags & pt.MAP:
            parts[name] = value
        elif flags & pt.REPEATED:
            parts[name] = (
                st.lists(value, max_size=5) if ftype != pt.MESSAGE or depth < 3 else st.just([])
            )
        elif group:
            oneof_groups.setdefault(group, []).append((name, value))
        elif flags & pt.OPTIONAL or ftype == pt.MESSAGE:
            parts[name] = st.none() | value if ftype != pt.MESSAGE else value
        else:
            parts[name] = value
    strategies = st.fixed_dictionaries(parts)
    for members in oneof_groups.values():
        choice = st.one_of([st.none()] + [st.tuples(st.just(n), v) for n, v in members])
        strategies = st.tuples(strategies, choice).map(_merge_choice)
    return strategies.map(lambda kw: cls(**kw))


def _merge_choice(pair):
    fields, choice = pair
    fields = dict(fields)
    if choice is not None:
        fields[choice[0]] = choice[1]
    return fields


# ------------------------------------------------------------- converters


def to_betterproto(msg, ref_cls):
    """Build the betterproto equivalent of a jotunheim.pb message."""
    kwargs = {}
    for _num, name, ftype, flags, sub in pb.fields_of(msg):
        value = getattr(msg, name)
        if value is None:
            continue
        field_type = _ref_field_type(ref_cls, name)
        if flags & pt.MAP:
            if sub[1] == pt.MESSAGE:
                sub_ref = _ref_map_value_type(ref_cls, name)
                value = {k: to_betterproto(v, sub_ref) for k, v in value.items()}
            else:
                value = dict(value)
        elif ftype == pt.MESSAGE:
            if flags & pt.REPEATED:
                value = [to_betterproto(v, field_type) for v in value]
            else:
                value = to_betterproto(value, field_type)
        elif flags & pt.REPEATED:
            value = list(value)
        kwargs[name] = value
    return ref_cls(**kwargs)


def from_betterproto(ref, cls):
    """Build the jotunheim.pb equivalent of a betterproto message."""
    kwargs = {}
    set_members = {}
    for group in cls._oneofs:
        name, _ = betterproto.which_one_of(ref, group)
        set_members[group] = name
    for _num, name, ftype, flags, sub in pb.fields_of(cls):
        group = flags >> pt.ONEOF_SHIFT
        if group and set_members[cls._oneofs[group - 1]] != name:
            continue
        value = getattr(ref, name)
        if value is None:
            continue
        if flags & pt.MAP:
            if sub[1] == pt.MESSAGE:
                value = {k: from_betterproto(v, sub[2]) for k, v in value.items()}
            else:
                value = {k: _plain(v) for k, v in value.items()}
        elif ftype == pt.MESSAGE:
            if flags & pt.REPEATED:
                value = [from_betterproto(v, sub) for v in value]
            elif not betterproto.serialized_on_wire(value):
                continue
            else:
                value = from_betterproto(value, sub)
        elif flags & pt.REPEATED:
            value = [_plain(v) for v in value]
        else:
            value = _plain(value)
        kwargs[name] = value
    return cls(**kwargs)


def _plain(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)  # betterproto enums are IntEnum
    return value


def _ref_field_type(ref_cls, name):
    cls_info = ref_cls._betterproto
    return cls_info.cls_by_field.get(name)


def _ref_map_value_type(ref_cls, name):
    return ref_cls._betterproto.cls_by_field[name + ".value"]


# ------------------------------------------------------------- Google protobuf

_google_classes = {}


def google_class(full_name):
    """A Google protobuf message class built from the same .proto files."""
    if not _google_classes:
        pool = descriptor_pool.DescriptorPool()
        seen = set()
        for _, _, proto_dir in MODULES:
            if proto_dir in seen:
                continue
            seen.add(proto_dir)
            fds = protogen.descriptor_set(
                sorted(__import__("pathlib").Path(proto_dir).glob("*.proto")), proto_dir
            )
            for f in fds.file:
                pool.Add(f)
        _google_classes["pool"] = pool
    pool = _google_classes["pool"]
    if full_name not in _google_classes:
        _google_classes[full_name] = message_factory.GetMessageClass(
            pool.FindMessageTypeByName(full_name)
        )
    return _google_classes[full_name]


def same_value(a, b):
    """Equality that treats float32 rounding as the wire does (both sides already rounded)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def has_default_map_entry(msg):
    """True if a map (anywhere inside msg) holds an entry whose key and value are both
    defaults. betterproto 2.0.0b7 writes such an entry as nothing at all (a bug of its
    own: Google protobuf writes an empty entry), so that direction cannot be compared."""
    for _num, name, ftype, flags, _sub in pb.fields_of(msg):
        value = getattr(msg, name)
        if flags & pt.MAP:
            for k, v in value.items():
                if not k and (not v if not isinstance(v, pb.Message) else not v.encode()):
                    return True
                if isinstance(v, pb.Message) and has_default_map_entry(v):
                    return True
        elif ftype == pt.MESSAGE and value is not None:
            items = value if flags & pt.REPEATED else [value]
            if any(has_default_map_entry(v) for v in items):
                return True
    return False
