"""Distil the machine-readable Bot API into the structure the emulator's tests need.

    python tools/distill_bot_api.py ../shared/telegram-bot-api/api.min.json

writes bot/emulator/bot_api.json: every method's parameters and return types, and
every type's fields and subtypes, each with its types and whether it is required;
no descriptions. The emulator's conformance tests read that file, so they run in
any clone; run this again when a newer api.min.json arrives and commit the result.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "bot" / "emulator" / "bot_api.json"


def fields(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"name": f["name"], "types": f["types"], "required": bool(f["required"])} for f in items
    ]


def distil(spec: dict[str, Any]) -> dict[str, Any]:
    methods = {
        name: {"name": name, "returns": m.get("returns", []), "fields": fields(m.get("fields", []))}
        for name, m in sorted(spec["methods"].items())
    }
    types: dict[str, Any] = {}
    for name, t in sorted(spec["types"].items()):
        entry: dict[str, Any] = {"name": name, "fields": fields(t.get("fields", []))}
        if t.get("subtypes"):
            entry["subtypes"] = t["subtypes"]
        types[name] = entry
    return {"version": spec["version"], "methods": methods, "types": types}


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else Path("../shared/telegram-bot-api/api.min.json")
    distilled = distil(json.loads(source.read_text(encoding="utf-8")))
    OUT.write_text(json.dumps(distilled, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(distilled['methods'])} methods, {len(distilled['types'])} types)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
