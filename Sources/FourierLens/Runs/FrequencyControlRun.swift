import Foundation

/// One key period before and after the frequency control.
public struct KeyPeriodControl: Sendable {
    public let period: Double
    public let k: Int
    /// Energy at k (the real orthonormal basis, summed over columns) of the input and of the residual.
    public let energyBefore: Double
    public let energyAfter: Double
    public let qBefore: Double?
    public let qAfter: Double?
    public let outlierBefore: Bool
    public let outlierAfter: Bool
    /// The share of the energy at k that log-count explains: 1 − after / before (negative when
    /// removing the frequency fit adds energy at k).
    public var explained: Double { energyBefore > 0 ? 1 - energyAfter / energyBefore : 0 }
}

/// What the frequency control found for one input (a class: it holds the residual's own run).
public final class FrequencyControl: Sendable {
    public let counts: NumberCounts
    /// The chosen spline's knots (log(1 + count) units; empty: a straight line) and every candidate's PRESS.
    public let knots: [Double]
    public let candidates: [(knots: Int, press: Double)]
    /// The residual's spectrum, null and outliers, with the input's options.
    public let residual: SpectrumResult
    public let keys: [KeyPeriodControl]
    /// The input's energy at every k (the real orthonormal basis, summed over columns).
    public let energyBefore: [Double]
    /// The share of the input's energy at k ≥ 1 (its variance about the column means) that the spline explains.
    public let varianceExplained: Double

    public var keyEnergyBefore: Double { keys.reduce(0) { $0 + $1.energyBefore } }
    public var keyEnergyAfter: Double { keys.reduce(0) { $0 + $1.energyAfter } }
    /// Key periods whose frequency is still an outlier of the residual's null.
    public var survivingPeriods: [Double] { keys.filter(\.outlierAfter).map(\.period) }

    init(counts: NumberCounts, knots: [Double], candidates: [(knots: Int, press: Double)], residual: SpectrumResult,
         keys: [KeyPeriodControl], energyBefore: [Double], varianceExplained: Double) {
        self.counts = counts; self.knots = knots; self.candidates = candidates; self.residual = residual
        self.keys = keys; self.energyBefore = energyBefore; self.varianceExplained = varianceExplained
    }
}

public enum FrequencyControlRun {
    /// Regresses every column of `input` on the spline of log-count chosen by cross-validation and
    /// runs the spectrum (same options, same null) on the residual. `before` is the input's own run.
    public static func run(_ input: NumberMatrix, before: SpectrumResult, counts: NumberCounts) -> FrequencyControl {
        let fit = FrequencySpline.fit(input.matrix, z: counts.logCounts)
        var residualInput = NumberMatrix(file: input.file, dataset: "\(input.dataset) − spline(log count)",
                                         valuesDataset: input.valuesDataset, layer: input.layer, matrix: fit.residual, values: input.values)
        residualInput.rowsPerNumber = input.rowsPerNumber
        let residual = SpectrumRun.run(residualInput, options: before.options, label: before.label + " (frequency controlled)")
        let p = before.p
        let energyBefore = before.spectrum.basisEnergy, energyAfter = residual.spectrum.basisEnergy
        var keys: [KeyPeriodControl] = []
        for period in before.options.keyPeriods {
            guard let k = SpectrumRun.frequency(ofPeriod: period, p: p), !keys.contains(where: { $0.k == k }) else { continue }
            keys.append(KeyPeriodControl(period: period, k: k, energyBefore: energyBefore[k], energyAfter: energyAfter[k],
                                         qBefore: before.test.qValue[k], qAfter: residual.test.qValue[k],
                                         outlierBefore: before.test.outlier[k], outlierAfter: residual.test.outlier[k]))
        }
        let total = before.spectrum.nonConstantEnergy
        return FrequencyControl(counts: counts, knots: fit.knots, candidates: fit.candidates, residual: residual, keys: keys, energyBefore: energyBefore,
                                varianceExplained: total > 0 ? 1 - residual.spectrum.nonConstantEnergy / total : 0)
    }

    /// The frequency-matched baseline: each column is A's column mean, plus a random smooth function
    /// of log-count (Gaussian coefficients on the spline A's cross-validation chose) scaled to the
    /// spread of A's fitted part, plus Gaussian noise with the spread of A's residual. What
    /// frequency alone produces, at A's own strength.
    public static func matchedBaseline(to input: NumberMatrix, logCounts z: [Double], seed: UInt64) -> Matrix {
        let x = input.matrix
        let fit = FrequencySpline.fit(x, z: z)
        let smooth = Array(fit.basis.dropFirst())  // the first is the constant: the means are added apart
        var random = SeededRandom(seed: seed)
        var values = [Float](repeating: 0, count: x.rows * x.cols)
        let means = SpectralAnalysis.columnMeans(x)
        for j in 0..<x.cols {
            var fittedSpread = 0.0, residualSpread = 0.0
            for i in 0..<x.rows {
                let f = Double(fit.fitted.values[i * x.cols + j]) - means[j], e = Double(fit.residual.values[i * x.cols + j])
                fittedSpread += f * f; residualSpread += e * e
            }
            var f = [Double](repeating: 0, count: x.rows)
            for u in smooth {
                let g = random.nextGaussian()
                for i in 0..<x.rows { f[i] += g * u[i] }
            }
            let norm = FrequencySpline.norm(f)
            let scale = norm > 0 ? fittedSpread.squareRoot() / norm : 0
            let noise = (residualSpread / Double(x.rows)).squareRoot()
            for i in 0..<x.rows {
                values[i * x.cols + j] = Float(means[j] + scale * f[i] + noise * random.nextGaussian())
            }
        }
        return Matrix(rows: x.rows, cols: x.cols, values: values)
    }
}
