"""qr/ is values in, str/bytes out: importing all of it loads no Flask and no database."""

from __future__ import annotations

import subprocess
import sys


def test_qr_imports_neither_flask_nor_sqlalchemy() -> None:
    script = ("import sys, qr.digital_link, qr.images, qr.labels, qr.pdf; "
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy')))")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
