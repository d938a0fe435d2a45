"""Generated from tests/proto/kitchen_sink.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message, setup


class Color:
    """Enum Color."""

    COLOR_UNSPECIFIED = 0
    RED = 1
    GREEN = 2
    BLUE = 3


class Scalars(Message):
    """Message kitchen.Scalars."""


class Repeats(Message):
    """Message kitchen.Repeats."""


class Maps(Message):
    """Message kitchen.Maps."""


class _Maps_ByNameEntry(Message):
    """Message kitchen.Maps.ByNameEntry."""


class _Maps_ByIdEntry(Message):
    """Message kitchen.Maps.ByIdEntry."""


class _Maps_BlobsEntry(Message):
    """Message kitchen.Maps.BlobsEntry."""


class _Maps_FlagsEntry(Message):
    """Message kitchen.Maps.FlagsEntry."""


class _Maps_ReadingsEntry(Message):
    """Message kitchen.Maps.ReadingsEntry."""


class Choices(Message):
    """Message kitchen.Choices."""


class Node(Message):
    """Message kitchen.Node."""


class Node_Label(Message):
    """Message kitchen.Node.Label."""


class NodeV1(Message):
    """Message kitchen.NodeV1."""


setup(Scalars, (
    (1, "f_double", 1, 0, None),
    (2, "f_float", 2, 0, None),
    (3, "f_int64", 3, 0, None),
    (4, "f_uint64", 4, 0, None),
    (5, "f_int32", 5, 0, None),
    (6, "f_fixed64", 6, 0, None),
    (7, "f_fixed32", 7, 0, None),
    (8, "f_bool", 8, 0, None),
    (9, "f_string", 9, 0, None),
    (12, "f_bytes", 12, 0, None),
    (13, "f_uint32", 13, 0, None),
    (14, "f_enum", 14, 0, None),
    (15, "f_sfixed32", 15, 0, None),
    (16, "f_sfixed64", 16, 0, None),
    (17, "f_sint32", 17, 0, None),
    (18, "f_sint64", 18, 0, None),
))
setup(Repeats, (
    (1, "r_double", 1, 3, None),
    (2, "r_float", 2, 3, None),
    (3, "r_int64", 3, 3, None),
    (4, "r_uint64", 4, 3, None),
    (5, "r_int32", 5, 3, None),
    (6, "r_fixed64", 6, 3, None),
    (7, "r_fixed32", 7, 3, None),
    (8, "r_bool", 8, 3, None),
    (9, "r_string", 9, 1, None),
    (12, "r_bytes", 12, 1, None),
    (13, "r_uint32", 13, 3, None),
    (14, "r_enum", 14, 3, None),
    (15, "r_sfixed32", 15, 3, None),
    (16, "r_sfixed64", 16, 3, None),
    (17, "r_sint32", 17, 3, None),
    (18, "r_sint64", 18, 3, None),
    (19, "unpacked_int32", 5, 1, None),
    (20, "unpacked_sint64", 18, 1, None),
    (21, "messages", 11, 1, Scalars),
))
setup(Maps, (
    (1, "by_name", 11, 4, _Maps_ByNameEntry),
    (2, "by_id", 11, 4, _Maps_ByIdEntry),
    (3, "blobs", 11, 4, _Maps_BlobsEntry),
    (4, "flags", 11, 4, _Maps_FlagsEntry),
    (5, "readings", 11, 4, _Maps_ReadingsEntry),
))
setup(_Maps_ByNameEntry, (
    (1, "key", 9, 0, None),
    (2, "value", 9, 0, None),
))
setup(_Maps_ByIdEntry, (
    (1, "key", 5, 0, None),
    (2, "value", 11, 0, Scalars),
))
setup(_Maps_BlobsEntry, (
    (1, "key", 4, 0, None),
    (2, "value", 12, 0, None),
))
setup(_Maps_FlagsEntry, (
    (1, "key", 8, 0, None),
    (2, "value", 14, 0, None),
))
setup(_Maps_ReadingsEntry, (
    (1, "key", 18, 0, None),
    (2, "value", 1, 0, None),
))
setup(Choices, (
    (1, "text", 9, 16, None),
    (2, "number", 5, 16, None),
    (3, "nested", 11, 16, Scalars),
    (4, "raw", 12, 16, None),
    (5, "flag", 8, 32, None),
    (6, "color", 14, 32, None),
    (7, "maybe_int", 5, 8, None),
    (8, "maybe_text", 9, 8, None),
    (9, "maybe_color", 14, 8, None),
    (10, "plain", 9, 0, None),
), ("pick", "second",))
setup(Node, (
    (1, "name", 9, 0, None),
    (2, "children", 11, 1, Node),
    (3, "parent_hint", 11, 0, Node),
    (4, "labels", 11, 1, Node_Label),
))
setup(Node_Label, (
    (1, "key", 9, 0, None),
    (2, "tint", 14, 0, None),
))
setup(NodeV1, (
    (1, "name", 9, 0, None),
))
Node.Label = Node_Label
