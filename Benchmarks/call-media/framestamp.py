"""Our frame stamp (Sources/Media/FrameStampCode.swift) in Python, for the aiortc
side of the video benchmark: the same band of black and white blocks along the
top of the picture, so both stacks carry their capture time the same way.

Layout (see the Swift file for why): 74 equal blocks across the width over the
top 1/18 of the height (at least 4 rows): white and black references, then 64
data bits (frame number, then capture milliseconds truncated to 32 bits, most
significant first), then CRC-8 (polynomial 0x07) over those 8 bytes. The
decoder averages the middle half of each block and thresholds halfway between
the references; a wrong CRC is no stamp.

Works on the luma plane as a writable memoryview / bytes-like with a row stride,
so it needs no numpy (aiortc's dependencies do not bring it).
"""

REFERENCE_BLOCKS = 2
DATA_BITS = 64
CHECK_BITS = 8
BLOCK_COUNT = REFERENCE_BLOCKS + DATA_BITS + CHECK_BITS
WHITE, BLACK = 235, 16  # video range, what an RGB 255/0 becomes in I420


def band_height(height):
    return max(4, height // 18)


def block_range(index, width):
    return index * width // BLOCK_COUNT, (index + 1) * width // BLOCK_COUNT


def crc8(payload):
    crc = 0
    for byte in payload.to_bytes(8, "big"):
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def bits(frame_number, capture_ms):
    payload = (frame_number & 0xFFFFFFFF) << 32 | (capture_ms & 0xFFFFFFFF)
    out = [True, False]
    out += [bool(payload >> k & 1) for k in range(63, -1, -1)]
    crc = crc8(payload)
    out += [bool(crc >> k & 1) for k in range(7, -1, -1)]
    return out


def draw(luma, stride, width, height, frame_number, capture_ms):
    """Paints the band into the luma plane (the caller greys the chroma under it if it cares)."""
    row = bytearray(width)
    for index, bit in enumerate(bits(frame_number, capture_ms)):
        start, end = block_range(index, width)
        row[start:end] = bytes([WHITE if bit else BLACK]) * (end - start)
    for y in range(band_height(height)):
        luma[y * stride: y * stride + width] = row


def decode(luma, stride, width, height):
    """(frame_number, capture_ms) or None."""
    if width < BLOCK_COUNT * 2:
        return None
    band = band_height(height)
    rows = range(band // 4, max(band // 4 + 1, band - band // 4))

    def level(index):
        start, end = block_range(index, width)
        inset = (end - start) // 4
        c0, c1 = start + inset, max(start + inset + 1, end - inset)
        total = 0
        for y in rows:
            total += sum(luma[y * stride + c0: y * stride + c1])
        return total // (len(rows) * (c1 - c0))

    white, black = level(0), level(1)
    if white - black < 48:
        return None
    threshold = (white + black) // 2
    payload = 0
    for k in range(DATA_BITS):
        payload = payload << 1 | (1 if level(REFERENCE_BLOCKS + k) > threshold else 0)
    crc = 0
    for k in range(CHECK_BITS):
        crc = crc << 1 | (1 if level(REFERENCE_BLOCKS + DATA_BITS + k) > threshold else 0)
    if crc != crc8(payload):
        return None
    return payload >> 32, payload & 0xFFFFFFFF


def since(capture_ms, now_ms):
    """Milliseconds from a 32-bit-truncated capture time to `now_ms` (wall clock, float)."""
    whole = int(now_ms)
    delta = (whole - capture_ms) & 0xFFFFFFFF
    if delta >= 1 << 31:
        delta -= 1 << 32
    return delta + (now_ms - whole)
