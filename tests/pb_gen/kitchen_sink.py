"""Generated from tests/proto/kitchen_sink.proto by `jotunheim protogen`. Do not edit."""

import sys

from jotunheim.pb import message


class Color:  # enum kitchen.Color
    COLOR_UNSPECIFIED = 0
    RED = 1
    GREEN = 2
    BLUE = 3


def __getattr__(name):
    # A message class is made when first looked up (jotunheim.pb.message), so
    # a board holds only the classes it uses.
    cls = message(globals(), name)
    if name == "Node":
        cls.Label = getattr(sys.modules[__name__], "Node_Label")
    return cls


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of). A line
# per message: class name:oneof names:row;... a row: [number] name [kind [flags
# [sub]]] (number: when not the previous one + 1; kind: when not 9, string)
TABLES = """
Scalars::f_double 1;f_float 2;f_int64 3;f_uint64 4;f_int32 5;f_fixed64 6;f_fixed32 7;f_bool 8;f_string;12 f_bytes 12;f_uint32 13;f_enum 14;f_sfixed32 15;f_sfixed64 16;f_sint32 17;f_sint64 18
Repeats::r_double 1 3;r_float 2 3;r_int64 3 3;r_uint64 4 3;r_int32 5 3;r_fixed64 6 3;r_fixed32 7 3;r_bool 8 3;r_string 9 1;12 r_bytes 12 1;r_uint32 13 3;r_enum 14 3;r_sfixed32 15 3;r_sfixed64 16 3;r_sint32 17 3;r_sint64 18 3;unpacked_int32 5 1;unpacked_sint64 18 1;messages 11 1 Scalars
Maps::by_name 11 4 9 9;by_id 11 4 5 11 Scalars;blobs 11 4 4 12;flags 11 4 8 14;readings 11 4 18 1
Choices:pick,second:text 9 16;number 5 16;nested 11 16 Scalars;raw 12 16;flag 8 32;color 14 32;maybe_int 5 8;maybe_text 9 8;maybe_color 14 8;plain
Node::name;children 11 1 Node;parent_hint 11 0 Node;labels 11 1 Node_Label
Node_Label::key;tint 14
NodeV1::name
"""
