# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""Device settings: one human-readable JSON file on CIRCUITPY (``jotunheim.json``).

- ``jotunheim.settings.schema``: the table of every key (type, default, limits).
- ``jotunheim.settings.validator``: ``validate(raw)`` -> (settings dict, errors), all errors
  at once, each naming the key path, what was expected and what was found; unknown keys
  and secrets are errors too.
- ``jotunheim.settings.loader``: :class:`SettingsLoader` reads, validates, keeps the last
  good settings when the file is broken (``last_error`` says why) and hot-reloads; it
  checks the stamp of a file ``jotunheim deploy`` wrote, so a device uses a file validated
  on the host without loading the validator or the schema table.
- ``jotunheim.settings.stamp``: writes that stamp (host side).
- ``jotunheim.settings.reload``: a hot reload (which sections changed, the callbacks),
  loaded by the first.
- ``jotunheim.settings.secrecy``: which key names hold secrets (refused, redacted), and
  the ``settings.toml`` keys.
- ``jotunheim.settings.report``: what ``GetDeviceStatus`` shows of the settings.
- ``jotunheim.settings.secrets``: :class:`Secrets`, the values of ``settings.toml``
  (WiFi password, tokens): ``os.getenv`` on CircuitPython, a small TOML reader plus
  environment variables on CPython. Secrets never live in the JSON.

See docs/settings.md for every key.
"""
