# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
# boot.py for over-the-air updates (any board). CircuitPython runs it once after a reset,
# before code.py: it finishes or undoes an update interrupted by a power cut, counts trial
# boots of a new version (rolling back after 3 unconfirmed ones), and remounts CIRCUITPY
# writable only when an update needs it. Copy to the root of CIRCUITPY as boot.py.
import jotunheim.ota.boot

jotunheim.ota.boot.run(max_trial_boots=3, confirm_window_s=120)
