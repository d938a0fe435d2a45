# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The errors of tool calls by the name the docs gave them first: :class:`UnknownToolError`,
:class:`ToolPermissionError`, :class:`ToolParameterError` are defined in
:mod:`jotunheim.capability` (the package, loaded with any of its modules); this module names
the same classes, for code written against it. The library imports them from the package.
"""

from jotunheim.capability import (  # noqa: F401 - the same classes, by their old name
    ToolParameterError,
    ToolPermissionError,
    UnknownToolError,
)
