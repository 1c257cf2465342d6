"""A brute-force numpy reference for FourierLens's permutation p-values (docs/METHODS.md).

It re-implements the seeded generator (xoshiro256** seeded by SplitMix64, Lemire's bounded
draws, Fisher–Yates) so that it draws the very permutations FourierLens draws, and computes
every null spectrum with numpy's double-precision rfft, independently of FourierLens's Gram path.
"""
import itertools
import math

import numpy as np

MASK = (1 << 64) - 1


class SeededRandom:
    def __init__(self, seed):
        x = seed
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
        r = (s[1] * 5) & MASK
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
        if product & MASK < bound:
            threshold = ((1 << 64) - bound) % bound
            while product & MASK < threshold:
                product = self.next() * bound
        return product >> 64

    def permutation(self, count):
        items = list(range(count))
        for i in range(count - 1, 0, -1):
            j = self.index_below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items


def energies(x):
    """Σ_j |X̂[k, j]|² for k = 0..⌊p/2⌋, in double precision."""
    return (np.abs(np.fft.rfft(x, axis=0)) ** 2).sum(axis=1)


def permutation_p_values(x, draws=200, seed=0):
    """The p-value of every k ≥ 1 (index 0 is nan) by the documented rule."""
    x = np.asarray(x, dtype=np.float64)
    p, d = x.shape
    orderings = math.factorial(p)
    exact = orderings <= draws
    if exact:
        orders = [list(o) for o in itertools.permutations(range(p))]
    else:
        rng = SeededRandom(seed)
        orders = [rng.permutation(p) for _ in range(draws)]
    null = np.array([energies(x[order]) for order in orders])
    observed = energies(x)
    tolerance = 2 * (p + d) * np.finfo(np.float64).eps * p * (x ** 2).sum()
    reach = (null >= observed - tolerance).sum(axis=0)
    if exact:
        result = reach / len(orders)
        result[0] = np.nan
        return result
    magnitudes, observed_magnitude = np.sqrt(null), np.sqrt(observed)
    mean, sd = magnitudes.mean(axis=0), magnitudes.std(axis=0, ddof=1)
    pooled = np.sort(np.concatenate([(magnitudes[:, k] - mean[k]) / sd[k] for k in range(1, p // 2 + 1) if sd[k] > 0]))
    result = np.full(p // 2 + 1, np.nan)
    for k in range(1, p // 2 + 1):
        z = (observed_magnitude[k] - mean[k]) / sd[k]
        slack = math.sqrt(tolerance) / sd[k]
        pooled_p = (1 + (pooled >= z - slack).sum()) / (1 + len(pooled))
        result[k] = max(pooled_p, reach[k] / (1 + draws), 1 / orderings)
    return result
