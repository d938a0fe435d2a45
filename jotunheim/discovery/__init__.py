# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Zero-config discovery: find Loki and the Edda controllers with mDNS/DNS-SD, and
advertise this device (docs/discovery.md).

Built by the Device only with ``discovery.enabled``: a device without it never imports
this package. On a board it runs on CircuitPython's ``mdns`` module; on the host on
``jotunheim_host.mdns_adapter`` (python-zeroconf behind the same API), handed in.
"""

PROTOCOL = "_tcp"
CONTROLLER = "_edda-controller"  # Edda platforms (Asgard is the local hub)
LOKI = "_loki"  # Loki script services
DEVICE = "_jotunheim"  # Jotunheim devices (this one advertises itself so)
