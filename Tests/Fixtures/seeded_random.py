"""FourierLens's seeded generator (Sources/FourierLens/Support/SeededRandom.swift) in Python:
xoshiro256** seeded by SplitMix64, Lemire's bounded draws, Fisher-Yates. The references use it
to draw exactly the permutations and folds that FourierLens draws."""

MASK = (1 << 64) - 1


class SeededRandom:
    """FourierLens's generator: xoshiro256** seeded by SplitMix64."""

    def __init__(self, seed):
        x = seed & MASK
        state = []
        for _ in range(4):
            x = (x + 0x9E3779B97F4A7C15) & MASK
            z = x
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            state.append(z ^ (z >> 31))
        self.s = state

    def next(self):
        s = self.s
        r = ((s[1] * 5) & MASK)
        result = (((r << 7) | (r >> 57)) & MASK) * 9 & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = ((s[3] << 45) | (s[3] >> 19)) & MASK
        return result

    def index_below(self, bound):
        product = self.next() * bound
        low = product & MASK
        if low < bound:
            threshold = (-bound) % bound
            while low < threshold:
                product = self.next() * bound
                low = product & MASK
        return product >> 64

    def permutation(self, count):
        items = list(range(count))
        for i in range(count - 1, 0, -1):
            j = self.index_below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items


