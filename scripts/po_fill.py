"""Fill English translations into lms/translations/en/LC_MESSAGES/messages.po from a JSON file.

Usage: python scripts/po_fill.py translations.json   (a {"German msgid": "English"} object)
Prints the msgids still untranslated afterwards.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "lms/translations/en/LC_MESSAGES/messages.po"

with PO.open("rb") as fh:
    catalog = read_po(fh)
new = json.loads(Path(sys.argv[1]).read_text("utf-8"))
for message in catalog:
    if message.id and message.id in new:
        message.string = new[message.id]
with PO.open("wb") as fh:
    write_po(fh, catalog, width=0)
missing = [m.id for m in catalog if m.id and not m.string]
print("\n".join(map(str, missing)) or "all translated")
