"""Fill English translations into lms/translations/en/LC_MESSAGES/messages.po from a JSON file.

Usage: python scripts/po_fill.py translations.json   (a {"German msgid": "English"} object; for a plural
message the key is the German singular and the value a list [singular, plural])
Prints the msgids still untranslated afterwards.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "lms/translations/en/LC_MESSAGES/messages.po"

with PO.open("rb") as fh:
    catalog = read_po(fh)
new = {}
for path in sys.argv[1:]:
    new.update(json.loads(Path(path).read_text("utf-8")))
for message in catalog:
    if not message.id:
        continue
    key = message.id[0] if isinstance(message.id, tuple) else message.id
    if key in new:
        value = new[key]
        message.string = tuple(value) if isinstance(message.id, tuple) else value
with PO.open("wb") as fh:
    write_po(fh, catalog, width=0)
missing = [m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
print("\n".join(map(str, missing)) or "all translated")
