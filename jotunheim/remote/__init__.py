# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""JotunheimService on the device: handler, auth, rate limit."""

# handler.RemoteCommandHandler serves CallTool, SendDeviceCommand, GetDeviceStatus,
# GetCapabilities and Einherjar GetCapabilities on a jotunheim.grpc.server.GrpcWebServer.
# Nothing is imported here: a board pays RAM only for the modules it uses (the bundle's
# __repo__ is read from jotunheim/__init__.py alone).
