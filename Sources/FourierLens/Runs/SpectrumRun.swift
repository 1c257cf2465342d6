import Foundation

/// The options of a spectrum run, as the user gave them (recorded in summary.json).
public struct SpectrumOptions: Sendable, Codable, Equatable {
    public var center = false
    public var null = NullModel.permute
    public var draws = 200
    public var seed: UInt64 = 0
    public var alpha = 0.05
    /// Low/high split: low is 1 ≤ k < tau. nil: the k of period 10, ⌈p/10⌉.
    public var tau: Int? = nil
    /// Periods whose share of the energy is reported (the NeurIPS 2024 paper's 2, 2.5, 5, 10).
    public var keyPeriods: [Double] = [2, 2.5, 5, 10]
    /// The data-driven key sets (docs/METHODS.md, "Key frequencies"): the share the fraction rule
    /// must reach, and the smallest energy ratio the gap rule accepts as a gap.
    public var keyFraction = 0.9
    public var keyMinGap = 2.0
    /// The slow-trend cut: frequencies whose period p/k is longer than this (k < p/T) are the
    /// trend, listed apart from periodic outliers and left out of the key sets; 0: no trend.
    public var trendPeriod = SpectrumOptions.defaultTrendPeriod
    public static let defaultTrendPeriod = 20.0
    /// `--allow-gaps`: numbers need not be contiguous (their spectrum is then a non-uniform DFT).
    public var allowGaps = false
    public init() {}

    /// In summary.json each option is named as its command-line flag (docs/REPORTS.md).
    enum CodingKeys: String, CodingKey {
        case center, null, seed, tau
        case draws = "permutations", alpha = "fdr", keyPeriods = "key_periods"
        case keyFraction = "key_fraction", keyMinGap = "key_min_gap", trendPeriod = "trend_period", allowGaps = "allow_gaps"
    }

    /// The first periodic frequency: k ≥ p/T (1 when there is no trend cut).
    public func firstPeriodic(p: Int) -> Int {
        guard trendPeriod > 0 else { return 1 }
        return max(1, Int((Double(p) / trendPeriod).rounded(.up)))
    }
}

/// What a spectrum run found: the hand-off from the analysis to the report writers.
public struct SpectrumResult: Sendable {
    public let label: String
    public let file: String
    public let dataset: String
    public let valuesDataset: String
    public let layer: Int?
    public let firstValue: Int64
    public let lastValue: Int64
    public let options: SpectrumOptions
    public let spectrum: Spectrum
    public let null: NullDistribution?
    public let test: OutlierTest
    public let keyFrequencies: [Int]
    public let keyEnergyFraction: Double
    /// The key set above the largest gap in sorted energy (nil: no ratio reaches key_min_gap),
    /// and the smallest set holding key_fraction of the energy at k ≥ 1.
    public var keySetByGap: KeyFrequencies? = nil
    public var keySetByFraction: KeyFrequencies? = nil
    public let tau: Int
    public let lowFraction: Double
    public let highFraction: Double
    public let zeroedNonFinite: Int
    /// How many rows each number's mean is over, when the rows of each number were averaged.
    public var rowsPerNumber: [Int]? = nil
    /// The numbers have gaps: the spectrum is a non-uniform DFT over their values, p is their
    /// full range max − min + 1, and `numbers` how many there are.
    public var nonUniform = false
    public var numbers = 0
    /// The same analysis after regressing out log corpus frequency (`--control-frequency`).
    public var frequencyControl: FrequencyControl? = nil

    public var p: Int { spectrum.p }
    public var d: Int { spectrum.d }

    /// Frequencies 1 ≤ k < firstPeriodic are the slow trend (periods longer than trend_period).
    public var firstPeriodic: Int { options.firstPeriodic(p: p) }
    public func isTrend(_ k: Int) -> Bool { k >= 1 && k < firstPeriodic }
    /// Outliers at periodic frequencies, and those of the trend, each in ascending k.
    public var periodicOutliers: [Int] { test.outlierFrequencies.filter { !isTrend($0) } }
    public var trendOutliers: [Int] { test.outlierFrequencies.filter(isTrend) }
}

public enum SpectrumRun {
    /// Spectrum, null, outliers and band shares of a number matrix. Pure: no I/O.
    public static func run(_ input: NumberMatrix, options: SpectrumOptions, label: String? = nil) -> SpectrumResult {
        let matrix = options.center ? SpectralAnalysis.centered(input.matrix) : input.matrix
        // Numbers with gaps are transformed at their own values, never re-indexed as contiguous.
        let dft = NonUniformDFT.hasGaps(input.values) ? NonUniformDFT(values: input.values) : nil
        let spectrum = dft?.spectrum(of: matrix) ?? SpectralAnalysis.spectrum(of: matrix, center: false)
        let null = dft.map { NullDistribution.sample(options.null, of: matrix, draws: options.draws, seed: options.seed, center: options.center, nonUniform: $0) }
            ?? NullDistribution.sample(options.null, of: matrix, draws: options.draws, seed: options.seed, center: options.center)
        let test = null.map { OutlierTest(null: $0, alpha: options.alpha) }
            ?? OutlierTest(frequencies: spectrum.energy.count, alpha: options.alpha)
        let p = spectrum.p
        let keys = Array(Set(options.keyPeriods.compactMap { frequency(ofPeriod: $0, p: p) })).sorted()
        let tau = options.tau ?? Int((Double(p) / 10).rounded(.up))
        let split = spectrum.bandSplit(tau: tau)
        var result = SpectrumResult(label: label ?? input.label, file: input.file, dataset: input.dataset,
                              valuesDataset: input.valuesDataset, layer: input.layer,
                              firstValue: input.values.first ?? 0, lastValue: input.values.last ?? 0, options: options,
                              spectrum: spectrum, null: null, test: test, keyFrequencies: keys,
                              keyEnergyFraction: spectrum.energyFraction(in: Set(keys)), tau: tau,
                              lowFraction: split.low, highFraction: split.high, zeroedNonFinite: input.zeroedNonFinite)
        result.rowsPerNumber = input.rowsPerNumber
        result.nonUniform = dft != nil
        result.numbers = input.values.count
        let energy = spectrum.basisEnergy
        result.keySetByGap = KeyFrequencies.byGap(energy, minimumRatio: options.keyMinGap, from: result.firstPeriodic)
        result.keySetByFraction = KeyFrequencies.byFraction(energy, fraction: options.keyFraction, from: result.firstPeriodic)
        return result
    }

    /// The frequency k nearest to p / period, when it lies in 1...p/2.
    public static func frequency(ofPeriod period: Double, p: Int) -> Int? {
        guard period > 1, period.isFinite, p >= 2 else { return nil }  // p < 2 has no frequency k ≥ 1
        let k = Int((Double(p) / period).rounded())
        return (1...(p / 2)).contains(k) ? k : nil
    }

    /// "T=2", "T=2.5", "T=3.33": the period of k, for labels.
    public static func periodLabel(_ k: Int, p: Int) -> String {
        let period = Double(p) / Double(k)
        let rounded = (period * 100).rounded() / 100
        if rounded == rounded.rounded() { return "T=\(Int(rounded))" }
        var text = String(format: "%.2f", rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return "T=" + text
    }
}

/// Random baselines with the statistics of a real matrix, for "pretrained vs random".
public enum RandomBaseline: String, CaseIterable, Sendable {
    /// Gaussian rows with the same per-column mean and standard deviation.
    case gaussian
    /// The same rows in a random order.
    case permute
    /// Random smooth functions of log corpus count plus matched noise (needs the counts).
    case frequencyMatched = "frequency-matched"

    /// `logCounts`: log(1 + count) of each row's number, which frequency-matched requires.
    public func matched(to input: NumberMatrix, seed: UInt64, logCounts: [Double]? = nil) -> NumberMatrix {
        var random = SeededRandom(seed: seed)
        let matrix: Matrix
        switch self {
        case .gaussian: matrix = ColumnStatistics(input.matrix).gaussianMatrix(rows: input.matrix.rows, random: &random)
        case .permute: matrix = NumberAxis(order: random.permutation(input.matrix.rows), values: []).reorder(input.matrix)
        case .frequencyMatched:
            guard let logCounts else { preconditionFailure("the frequency-matched baseline needs the counts") }
            matrix = FrequencyControlRun.matchedBaseline(to: input, logCounts: logCounts, seed: seed)
        }
        let name = self == .frequencyMatched ? "random frequency-matched to" : "random \(rawValue) matched to"
        var baseline = NumberMatrix(file: input.file, dataset: "\(name) \(input.dataset)",
                                    valuesDataset: input.valuesDataset, layer: input.layer, matrix: matrix, values: input.values)
        baseline.rowsPerNumber = input.rowsPerNumber
        return baseline
    }
}
