# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Third-party gRPC-Web peers for interop tests (servers and clients we did not write)."""
