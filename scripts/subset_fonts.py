"""Makes the script fonts in data/fonts/ from Debian's font packages, cut down to the scripts they print.

The report PDFs print with DejaVu Sans and fall back to these fonts for what DejaVu lacks (see
intervision/pdf_fonts.py). Each font here keeps only the characters of its own script, with all of its
shaping rules and without hinting (a PDF viewer does not need it), so that the repository stays small.
Run it only to renew the fonts: `.venv/bin/python scripts/subset_fonts.py` (needs apt-get download).

- Hangul (Korean): NanumGothic from fonts-nanum (SIL OFL 1.1). "Nanum" is a Reserved Font Name, so the
  cut-down font is renamed "Report Hangul", as the licence asks of a modified version.
- Arabic (with Persian, Urdu, Pashto, Kurdish letters), Indic scripts and Thai: Noto Sans from
  fonts-noto-core (SIL OFL 1.1, no reserved names).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

FONTS_DIR = Path(__file__).resolve().parent.parent / "data" / "fonts"
NANUM = "usr/share/fonts/truetype/nanum"
NOTO = "usr/share/fonts/truetype/noto"

# Joiners, the dotted circle HarfBuzz draws under a lone mark, the danda that Indic scripts share, and the
# space, whose glyph HarfBuzz draws for a joiner shaped on its own (without it the joiner has no glyph).
_SHAPING_HELPERS = [0x200C, 0x200D, 0x25CC, 0x0964, 0x0965, 0x0020]


def _span(*ranges: tuple[int, int]) -> list[int]:
    return [code for first, last in ranges for code in range(first, last + 1)]


HANGUL = _span((0xAC00, 0xD7A3), (0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xD7B0, 0xD7FF))
ARABIC = _span((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
# Noto Sans file name: the script's code points.
NOTO_SCRIPTS: dict[str, list[int]] = {
    "Arabic": ARABIC,
    "Devanagari": _span((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF)),
    "Bengali": _span((0x0980, 0x09FF)),
    "Gurmukhi": _span((0x0A00, 0x0A7F)),
    "Gujarati": _span((0x0A80, 0x0AFF)),
    "Oriya": _span((0x0B00, 0x0B7F)),
    "Tamil": _span((0x0B80, 0x0BFF)),
    "Telugu": _span((0x0C00, 0x0C7F)),
    "Kannada": _span((0x0C80, 0x0CFF)),
    "Malayalam": _span((0x0D00, 0x0D7F)),
    "Sinhala": _span((0x0D80, 0x0DFF)),
    "Thai": _span((0x0E00, 0x0E7F)),
}


def cut_down(source: Path, target: Path, code_points: list[int], family: str | None = None) -> None:
    """Keeps the glyphs of these code points with every layout feature; renames the family if asked."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.hinting = False
    options.notdef_outline = True
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=code_points)
    subsetter.subset(font)
    if family is not None:
        names = font["name"]
        for record in list(names.names):
            if record.nameID in (1, 3, 4, 6, 16, 17, 18, 21, 22):
                names.removeNames(nameID=record.nameID)
        names.setName(family, 1, 3, 1, 0x409)
        names.setName("Regular", 2, 3, 1, 0x409)
        names.setName(f"{family} Regular", 4, 3, 1, 0x409)
        names.setName(f"{family.replace(' ', '')}-Regular", 6, 3, 1, 0x409)
        names.setName(f"{family}: cut down from NanumGothic for intervision", 3, 3, 1, 0x409)
    font.save(target)
    print(f"{target.name}: {source.stat().st_size} -> {target.stat().st_size} bytes")


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        packages = Path(work)
        subprocess.run(["apt-get", "download", "fonts-nanum", "fonts-noto-core"], cwd=packages, check=True)
        for deb in packages.glob("*.deb"):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(packages / "root")], check=True)
        root = packages / "root"
        hangul = HANGUL + [0x0020]
        cut_down(root / NANUM / "NanumGothic.ttf", FONTS_DIR / "ReportHangul-Regular.ttf", hangul, "Report Hangul")
        for script, code_points in NOTO_SCRIPTS.items():
            for weight in ("Regular", "Bold") if script == "Arabic" else ("Regular",):
                name = f"NotoSans{script}-{weight}.ttf"
                cut_down(root / NOTO / name, FONTS_DIR / name, code_points + _SHAPING_HELPERS)


if __name__ == "__main__":
    sys.exit(main())
