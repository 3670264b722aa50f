"""Rewrite the generated parameter table of ``docs/reference/params.md`` from the schema.

Run from the repository root after changing a parameter declaration:
``.venv/bin/python docs/scripts/params_table.py`` (``tests/test_schema.py`` fails until the
page holds exactly :func:`spinpair.schema.markdown_table` of :data:`spinpair.params.SCHEMA`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from spinpair.params import SCHEMA
from spinpair.schema import markdown_table, replace_generated

PAGE = Path(__file__).resolve().parents[1] / "reference" / "params.md"


def main() -> int:
    """Write the table between the page's markers."""
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else PAGE
    text = path.read_text(encoding="utf-8")
    path.write_text(replace_generated(text, markdown_table(SCHEMA)), encoding="utf-8")
    print(f"wrote the parameter table into {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
