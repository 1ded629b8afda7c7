"""Draw the extension's icons (a speech bubble on an orange tile) as PNGs, without any library.

uv run python scripts/make_icons.py          # writes extension/icons/icon{16,32,48,128}.png
"""

import argparse
import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "extension" / "icons"
SIZES = (16, 32, 48, 128)
SUPERSAMPLE = 4
TILE = (194, 65, 12)
BUBBLE = (255, 255, 255)
DOTS = (194, 65, 12)


def inside_rounded(
    x: float, y: float, left: float, top: float, right: float, bottom: float, radius: float
) -> bool:
    if not (left <= x <= right and top <= y <= bottom):
        return False
    cx = min(max(x, left + radius), right - radius)
    cy = min(max(y, top + radius), bottom - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def inside_triangle(
    x: float, y: float, a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]
) -> bool:
    def side(p: tuple[float, float], q: tuple[float, float]) -> float:
        return (x - q[0]) * (p[1] - q[1]) - (p[0] - q[0]) * (y - q[1])

    d1, d2, d3 = side(a, b), side(b, c), side(c, a)
    negative = d1 < 0 or d2 < 0 or d3 < 0
    positive = d1 > 0 or d2 > 0 or d3 > 0
    return not (negative and positive)


def colour_at(u: float, v: float) -> tuple[int, int, int, int]:
    """The colour at (u, v) in the unit square."""
    if not inside_rounded(u, v, 0.0, 0.0, 1.0, 1.0, 0.22):
        return (0, 0, 0, 0)
    for dot_x in (0.34, 0.5, 0.66):
        if (u - dot_x) ** 2 + (v - 0.45) ** 2 <= 0.055**2:
            return (*DOTS, 255)
    bubble = inside_rounded(u, v, 0.16, 0.2, 0.84, 0.7, 0.16)
    tail = inside_triangle(u, v, (0.3, 0.64), (0.48, 0.64), (0.26, 0.86))
    if bubble or tail:
        return (*BUBBLE, 255)
    return (*TILE, 255)


def render(size: int) -> bytes:
    rows = []
    n = size * SUPERSAMPLE
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            total = [0, 0, 0, 0]
            for sy in range(SUPERSAMPLE):
                for sx in range(SUPERSAMPLE):
                    u = (x * SUPERSAMPLE + sx + 0.5) / n
                    v = (y * SUPERSAMPLE + sy + 0.5) / n
                    r, g, b, a = colour_at(u, v)
                    total[0] += r * a
                    total[1] += g * a
                    total[2] += b * a
                    total[3] += a
            alpha = total[3]
            samples = SUPERSAMPLE * SUPERSAMPLE
            if alpha:
                row += bytes(
                    [total[0] // alpha, total[1] // alpha, total[2] // alpha, alpha // samples]
                )
            else:
                row += bytes(4)
        rows.append(bytes(row))
    return png(size, size, b"".join(rows))


def png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ICONS, help="folder to write the PNGs to")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        path = args.out / f"icon{size}.png"
        path.write_bytes(render(size))
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {size}×{size}")


if __name__ == "__main__":
    main()
