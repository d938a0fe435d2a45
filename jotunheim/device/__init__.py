# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The Device (``jotunheim.device.core``) and the parts only it uses: its scheduler, its
resource meter and its status report."""

from jotunheim.device.core import Device  # noqa: F401
