"""The seeded generator of src/core/random.ts (mulberry32), bit for bit, for the reference scripts
of this folder: they write the same bytes the tests write."""

M32 = 0xFFFFFFFF


def imul(a, b):
    return ((a & M32) * (b & M32)) & M32


def mulberry32(seed):
    """src/core/random.ts mulberry32, bit for bit."""
    state = [seed & M32]

    def nxt():
        state[0] = (state[0] + 0x6D2B79F5) & M32
        t = state[0]
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        t &= M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return nxt
