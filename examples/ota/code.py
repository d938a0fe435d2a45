# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# A device that updates itself over the air from signed manifests (any board; boot.py from
# this folder must be on CIRCUITPY too). It checks ota.manifest_url every ota.check_interval
# seconds (jotunheim.json next to this file); the owner can ask now with the ota_check
# command ({"install": true} installs and reboots). After an update the first boot is a
# trial: the Device confirms it once it serves, or boot.py rolls it back.
#
# settings.toml: JOTUNHEIM_OTA_PUBKEY = the hex line of the .pub file `jotunheim ota keygen`
# wrote (a public key: not a secret, but it decides whose updates the board runs).
# On a desktop: JOTUNHEIM_LISTEN=127.0.0.1:8181 BLINKA_OS_AGNOSTIC=1 python code.py
# (with jotunheim.json and settings.toml in the working folder or $JOTUNHEIM_ROOT)

import binascii
import os

import board

from jotunheim import Device
from jotunheim.capability.drivers.io import Led
from jotunheim.settings.secrets import Secrets

# settings.toml of CIRCUITPY (os.getenv on a board; the file or the environment on a desktop)
pubkey = Secrets().get("JOTUNHEIM_OTA_PUBKEY")
if not pubkey:
    raise SystemExit("settings.toml needs JOTUNHEIM_OTA_PUBKEY (jotunheim ota keygen)")
host, _, port = (os.getenv("JOTUNHEIM_LISTEN") or "").rpartition(":")
device = Device.from_settings(
    host=host or None,
    port=int(port) if port else None,
    ota_keys=[binascii.unhexlify(pubkey.strip())],
)
device.add_actuator("status", Led(getattr(board, "LED", None) or board.Dx_OUTPUT))
device.start()
print("OTA-enabled device at", device.url)
device.run()
