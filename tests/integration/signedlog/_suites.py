"""eventsourcing's recorder test suites, importable without pycryptodome.

`eventsourcing.tests.persistence` imports `eventsourcing.cipher` (pycryptodome) for its cipher
tests, which the project neither depends on nor runs. When pycryptodome is missing, a stub
stands in for the import only; anything that would really encrypt fails loudly.
"""

from __future__ import annotations

import importlib.util
import sys
import types


def _stub_pycryptodome() -> None:
    def unavailable(*_: object, **__: object) -> None:
        raise RuntimeError("pycryptodome is not installed; AESCipher cannot be used")

    modules = {
        name: types.ModuleType(name)
        for name in ("Crypto", "Crypto.Cipher", "Crypto.Cipher.AES", "Crypto.Cipher._mode_gcm")
    }
    modules["Crypto.Cipher"].AES = modules["Crypto.Cipher.AES"]  # type: ignore[attr-defined]
    modules["Crypto.Cipher.AES"].key_size = (16, 24, 32)  # type: ignore[attr-defined]
    modules["Crypto.Cipher.AES"].new = unavailable  # type: ignore[attr-defined]
    modules["Crypto.Cipher._mode_gcm"].GcmMode = object  # type: ignore[attr-defined]
    sys.modules.update(modules)


if importlib.util.find_spec("Crypto") is None:
    _stub_pycryptodome()

from eventsourcing.tests.persistence import (  # noqa: E402
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
)

__all__ = [
    "ApplicationRecorderTestCase",
    "NonInterleavingNotificationIDsBaseCase",
]
