"""The outputs of a meeting: minutes renderers, calendar, signed record, CLI and routes.

Most tests here take hand-made minutes documents (`minutes_fixtures`), so they need neither
the meeting core nor the database.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
