"""Where the fonts that draw every participant's name are: Debian's Noto (fonts-noto-core).

Latin (with å, ä, ö), Arabic script (ar, fa) and Ethiopic (ti) each need their
own font file; the chart and the PDF fall back from one to the next glyph by
glyph. ``make fonts`` installs them; without them DejaVu draws Latin and
Arabic, and Ethiopic names show as boxes.
"""

from __future__ import annotations

from pathlib import Path

NOTO = Path("/usr/share/fonts/truetype/noto")
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
SCRIPTS = {
    "Noto Sans": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "Noto Sans Arabic": ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    "Noto Sans Ethiopic": ("NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf"),
}
FALLBACK = (DEJAVU / "DejaVuSans.ttf", DEJAVU / "DejaVuSans-Bold.ttf")


def installed() -> dict[str, tuple[Path, Path]]:
    """Family name → (regular, bold) of the Noto families present, Latin first."""
    found = {}
    for family, (regular, bold) in SCRIPTS.items():
        paths = (NOTO / regular, NOTO / bold)
        if all(p.is_file() for p in paths):
            found[family] = paths
    return found
