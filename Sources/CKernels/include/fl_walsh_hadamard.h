#ifndef FL_WALSH_HADAMARD_H
#define FL_WALSH_HADAMARD_H

/// The unnormalised Walsh–Hadamard transform of a[0 .. 2^n) in place (n ≤ 40): afterwards
/// a[S] = Σ_x a_before[x]·(−1)^popcount(x & S). With scale = 2^−n the coefficients are
/// f̂(S) = scale·a[S]; taken in the same sweep: energy[k] = Σ_{|S| = k} f̂(S)² (n + 1 entries)
/// and the top_k coefficients by |f̂(S)| over S ≠ ∅ (unordered; *top_count of them, indices and
/// scaled values). Returns 0, or −1 for n out of range, −2 when a buffer could not be allocated.
int fl_walsh_hadamard(double *a, int n, double scale, double *energy, long top_k, long *top_index,
                      double *top_value, long *top_count);

#endif
