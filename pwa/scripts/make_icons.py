"""Draw Chorus's app icons (PNG, stdlib only): three voices rising, on the brand indigo.

Run once when the mark changes: `python3 pwa/scripts/make_icons.py`; the PNGs are committed.
"any" icons are a rounded square on transparent corners; "maskable" ones fill the square and
keep the mark inside the central 80 % safe zone that launchers may crop to a circle.
"""

import struct
import zlib
from pathlib import Path

BRAND = (67, 56, 202)  # indigo, --brand in styles.css
ACCENT = (251, 191, 36)  # amber, --accent
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parents[1] / "public" / "icons"


def _inside_round_rect(x: float, y: float, x0: float, y0: float, x1: float, y1: float, r: float) -> bool:
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def _shade(u: float, v: float, maskable: bool) -> tuple[tuple[int, int, int], bool]:
    """Colour at unit coordinates (u, v) in [0, 1]; the bool says whether anything is there."""
    scale = 0.62 if maskable else 0.78  # the mark's size inside the icon
    if not maskable and not _inside_round_rect(u, v, 0, 0, 1, 1, 0.22):
        return (0, 0, 0), False
    # the mark lives in a unit box centred in the icon
    mu = (u - 0.5) / scale + 0.5
    mv = (v - 0.5) / scale + 0.5
    bars = [(0.16, 0.50, 0.80), (0.41, 0.30, 0.80), (0.66, 0.14, 0.80)]  # x, top, bottom
    for x, top, bottom in bars:
        if _inside_round_rect(mu, mv, x, top, x + 0.18, bottom, 0.09):
            return WHITE, True
    if (mu - 0.75) ** 2 + (mv - 0.02) ** 2 <= 0.075**2 + 0.0:  # a spark above the tallest voice
        return ACCENT, True
    return BRAND, True


def draw(size: int, maskable: bool) -> bytes:
    samples = 4  # 4 x 4 supersampling for smooth edges
    rows = []
    for py in range(size):
        row = bytearray([0])  # PNG filter: none
        for px in range(size):
            r = g = b = a = 0
            for sy in range(samples):
                for sx in range(samples):
                    u = (px + (sx + 0.5) / samples) / size
                    v = (py + (sy + 0.5) / samples) / size
                    colour, there = _shade(u, v, maskable)
                    if there:
                        r += colour[0]
                        g += colour[1]
                        b += colour[2]
                        a += 1
            n = samples * samples
            if a:
                row += bytes((r // a, g // a, b // a, 255 * a // n))
            else:
                row += bytes((0, 0, 0, 0))
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (OUT / f"icon-{size}.png").write_bytes(draw(size, maskable=False))
        (OUT / f"maskable-{size}.png").write_bytes(draw(size, maskable=True))
    (OUT / "apple-touch-icon.png").write_bytes(draw(180, maskable=True))
    print("icons written to", OUT)
