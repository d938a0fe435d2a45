"""Generated from tests/proto/kitchen_sink.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import Message


class Color:
    """Enum Color."""

    COLOR_UNSPECIFIED = 0
    RED = 1
    GREEN = 2
    BLUE = 3


class Scalars(Message):
    pass


class Repeats(Message):
    pass


class Maps(Message):
    pass


class _Maps_ByNameEntry(Message):
    pass


class _Maps_ByIdEntry(Message):
    pass


class _Maps_BlobsEntry(Message):
    pass


class _Maps_FlagsEntry(Message):
    pass


class _Maps_ReadingsEntry(Message):
    pass


class Choices(Message):
    pass


class Node(Message):
    pass


class Node_Label(Message):
    pass


class NodeV1(Message):
    pass


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of), so importing
# this module costs only the classes. One line per message:
# Class:oneof names:number name type flags [message type];...
_TABLES = """
Scalars::1 f_double 1 0;2 f_float 2 0;3 f_int64 3 0;4 f_uint64 4 0;5 f_int32 5 0;6 f_fixed64 6 0;7 f_fixed32 7 0;8 f_bool 8 0;9 f_string 9 0;12 f_bytes 12 0;13 f_uint32 13 0;14 f_enum 14 0;15 f_sfixed32 15 0;16 f_sfixed64 16 0;17 f_sint32 17 0;18 f_sint64 18 0
Repeats::1 r_double 1 3;2 r_float 2 3;3 r_int64 3 3;4 r_uint64 4 3;5 r_int32 5 3;6 r_fixed64 6 3;7 r_fixed32 7 3;8 r_bool 8 3;9 r_string 9 1;12 r_bytes 12 1;13 r_uint32 13 3;14 r_enum 14 3;15 r_sfixed32 15 3;16 r_sfixed64 16 3;17 r_sint32 17 3;18 r_sint64 18 3;19 unpacked_int32 5 1;20 unpacked_sint64 18 1;21 messages 11 1 Scalars
Maps::1 by_name 11 4 _Maps_ByNameEntry;2 by_id 11 4 _Maps_ByIdEntry;3 blobs 11 4 _Maps_BlobsEntry;4 flags 11 4 _Maps_FlagsEntry;5 readings 11 4 _Maps_ReadingsEntry
_Maps_ByNameEntry::1 key 9 0;2 value 9 0
_Maps_ByIdEntry::1 key 5 0;2 value 11 0 Scalars
_Maps_BlobsEntry::1 key 4 0;2 value 12 0
_Maps_FlagsEntry::1 key 8 0;2 value 14 0
_Maps_ReadingsEntry::1 key 18 0;2 value 1 0
Choices:pick,second:1 text 9 16;2 number 5 16;3 nested 11 16 Scalars;4 raw 12 16;5 flag 8 32;6 color 14 32;7 maybe_int 5 8;8 maybe_text 9 8;9 maybe_color 14 8;10 plain 9 0
Node::1 name 9 0;2 children 11 1 Node;3 parent_hint 11 0 Node;4 labels 11 1 Node_Label
Node_Label::1 key 9 0;2 tint 14 0
NodeV1::1 name 9 0
"""


Node.Label = Node_Label
