"""Generated from proto/jotunheim_stream.proto by `jotunheim protogen`. Do not edit."""

from jotunheim.pb import message


def __getattr__(name):
    # A message class is made when first looked up (jotunheim.pb.message), so
    # a board holds only the classes it uses.
    return message(globals(), name)


# Field tables, parsed on first use of a class (jotunheim.pb.fields_of). A line
# per message: class name:oneof names:row;... a row: [number] name [kind [flags
# [sub]]] (number: when not the previous one + 1; kind: when not 9, string)
TABLES = """
StreamChunk::stream_id;sequence 4;timestamp_ms 4;payload 12;end_of_stream 8;kind;sample_format;rate 13
"""
