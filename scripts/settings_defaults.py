# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Write jotunheim/settings/defaults.py from the schema table (after a schema change):

.venv/bin/python scripts/settings_defaults.py
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from jotunheim.settings.stamp import defaults_module  # noqa: E402

if __name__ == "__main__":
    path = os.path.join(ROOT, "jotunheim", "settings", "defaults.py")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(defaults_module())
    print("wrote", path)
