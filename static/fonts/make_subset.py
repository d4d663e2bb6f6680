"""Make the receipt font: Noto Sans CJK SC cut down to GB 2312 level 1 + ASCII + punctuation + receipt text.

Run from the repository root: .venv/bin/python static/fonts/make_subset.py
Needs fonttools (installed with WeasyPrint) and the system font (Debian: fonts-noto-cjk).
The committed output is used as is at runtime; rare characters fall back to the full system font.
"""

import subprocess
import sys
from pathlib import Path

SOURCE = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FONT_NUMBER = 2  # Noto Sans CJK SC in the collection
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "ReceiptSansSC-Regular.otf"
TEMPLATE = HERE.parent.parent / "templates" / "dues" / "pdf" / "receipt.html"
EXTRA = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿元角分整￥¥·—–…“”‘’、。，：；！？（）《》【】％＋－／"


def gb2312_level1() -> str:
    chars = []
    for high in range(0xB0, 0xD8):  # rows 16–55
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(chars)


def main() -> None:
    text = gb2312_level1() + EXTRA + "".join(chr(c) for c in range(0x20, 0x7F))
    if TEMPLATE.exists():
        text += TEMPLATE.read_text(encoding="utf-8")
    unicodes = ",".join(f"U+{ord(c):04X}" for c in sorted(set(text)) if c.isprintable())
    subprocess.run(
        [
            sys.executable, "-m", "fontTools.subset", SOURCE, f"--font-number={FONT_NUMBER}",
            f"--unicodes={unicodes}", f"--output-file={OUTPUT}", "--layout-features=kern,liga,locl,vert,palt",
            "--no-hinting", "--name-IDs=*", "--notdef-outline",
        ],
        check=True,
    )
    print(f"{OUTPUT.name}: {OUTPUT.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
