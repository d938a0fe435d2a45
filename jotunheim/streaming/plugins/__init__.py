# SPDX-FileCopyrightText: 2026 Jotunheim contributors
# SPDX-License-Identifier: MIT
"""The stream plugins that ship with jotunheim (each imported only when a stream uses it).

Uplink: ``signal`` (a generated tone, any platform), ``adc`` (``analogio.AnalogIn``),
``mic`` (``audiobusio.PDMIn``), ``file`` (a file's bytes). Downlink: ``speaker``
(``audiopwmio``/``audioio``, simulated where neither exists), ``pixels`` (NeoPixel frames,
simulated without a strip), ``file_out`` (into a file).
"""
