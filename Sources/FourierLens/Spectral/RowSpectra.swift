/// Spectra of each row of an [N × p] matrix (for example, one prompt's logits over the p number
/// tokens), and their averages: the mean of the magnitudes (phase-free: does a frequency appear
/// in the prompts at all) and the magnitude of the mean complex coefficient (phase-locked: does
/// it appear with the same phase in every prompt).
public struct RowSpectra: Equatable, Sendable {
    public let rows: Int
    public let p: Int
    /// mean over rows of |x̂_r[k]|, k = 0..⌊p/2⌋.
    public let meanMagnitude: [Double]
    /// |mean over rows of x̂_r[k]|.
    public let magnitudeOfMean: [Double]

    public static func of(_ matrix: Matrix, center: Bool) -> RowSpectra {
        let p = matrix.cols, n = matrix.rows
        var values = matrix.values
        if center {
            for r in 0..<n {
                let mean = (0..<p).reduce(0.0) { $0 + Double(values[r * p + $1]) } / Double(p)
                for c in 0..<p { values[r * p + c] = Float(Double(values[r * p + c]) - mean) }
            }
        }
        let fft = RealFFT(length: p, count: n, layout: .rows)
        let bins = fft.bins
        var meanMagnitude = [Double](repeating: 0, count: bins)
        var sumRe = meanMagnitude, sumIm = meanMagnitude
        values.withUnsafeBufferPointer { input in
            fft.transform(input) { coefficients in
                for r in 0..<n {
                    for k in 0..<bins {
                        let re = Double(coefficients[2 * (r * bins + k)]), im = Double(coefficients[2 * (r * bins + k) + 1])
                        meanMagnitude[k] += (re * re + im * im).squareRoot()
                        sumRe[k] += re
                        sumIm[k] += im
                    }
                }
            }
        }
        let count = Double(max(n, 1))
        return RowSpectra(rows: n, p: p, meanMagnitude: meanMagnitude.map { $0 / count },
                          magnitudeOfMean: (0..<bins).map { ((sumRe[$0] * sumRe[$0] + sumIm[$0] * sumIm[$0]).squareRoot()) / count })
    }
}
