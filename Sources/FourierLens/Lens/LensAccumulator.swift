import Foundation

/// The lens's summary of one run: per readout the means over prompts, the accuracies, the
/// number-logit spectra, and the chosen prompt's own readouts (the heatmap, the top-k table).
public struct LensSummary: Sendable {
    public struct Row: Sendable {
        public let site: Site
        public let layer: Int
        public let accuracyExact: Double?
        public let accuracyWithin2: Double?
        public let accuracyWithin10: Double?
        public let meanRank: Double?
        public let meanLogprob: Double?
        public let meanEntropy: Double
        public let meanKL: Double?
        /// The frequencies of the number-logit spectra (mean magnitude) that stand out outside
        /// the slow trend, strongest first, with their z (SpectralPeaks); empty when none does.
        public let topFrequencies: [Int]
        public let topFrequencyZ: [Double]
        /// The prompts the accuracies count (those with a number prediction): their binomial n.
        public var accuracyCount = 0
    }

    public let readouts: [(site: Site, layer: Int)]
    public let rows: [Row]
    public let spectra: [RowSpectra]
    public let prompts: Int
    public let numberValues: [Int64]
    /// Prompts whose answer is not a number token: left out of the number accuracies.
    public let answersNotNumbers: Int
    public let options: LensOptions
    /// The readout read only as the KL reference (not asked for): reports leave it out.
    public let referenceOnly: Int?
    /// The chosen prompt (options.heatmapPrompt): its answer, and per readout its number logits
    /// and its readouts (nil per readout when the run did not hold that prompt).
    public let chosenAnswer: Int64?
    public let chosenLogits: [[Float]?]
    public let chosenReadouts: [LensPromptReadout?]
    public var sgemmSeconds = 0.0
    public var sgemmFlops = 0.0
}

extension LensSummary {
    /// The summary without the readout read only as the KL reference: what the user asked for.
    public func askedOnly() -> LensSummary {
        guard let skip = referenceOnly else { return self }
        let keep = readouts.indices.filter { $0 != skip }
        var summary = LensSummary(readouts: keep.map { readouts[$0] }, rows: keep.map { rows[$0] }, spectra: keep.map { spectra[$0] },
                                  prompts: prompts, numberValues: numberValues, answersNotNumbers: answersNotNumbers, options: options,
                                  referenceOnly: nil, chosenAnswer: chosenAnswer, chosenLogits: keep.map { chosenLogits[$0] },
                                  chosenReadouts: keep.map { chosenReadouts[$0] })
        summary.sgemmSeconds = sgemmSeconds
        summary.sgemmFlops = sgemmFlops
        return summary
    }
}

/// Gathers the summary of a lens run from its per-prompt results, fed in prompt order (a run
/// block by block, or a merge reading shards back): the same sums in the same order, so a
/// merged run's summary equals an unsharded one's to the bit.
public struct LensAccumulator {
    struct Sums {
        var rank = 0.0, rankCount = 0, logprob = 0.0, logprobCount = 0, entropy = 0.0, kl = 0.0, klCount = 0
        var accuracy = NumberAccuracy()
        var magnitude: [Double], real: [Double], imaginary: [Double]
        init(bins: Int) { magnitude = Array(repeating: 0, count: bins); real = magnitude; imaginary = magnitude }
    }

    let readouts: [(site: Site, layer: Int)]
    let numberValues: [Int64]
    let known: Set<Int64>
    let options: LensOptions
    let referenceOnly: Int?
    private var sums: [Sums]
    private var rows = 0
    private var notNumbers = 0
    private var chosenAnswer: Int64? = nil
    private var chosenLogits: [[Float]?]
    private var chosenReadouts: [LensPromptReadout?]
    private var sgemmSeconds = 0.0, sgemmFlops = 0.0
    private let fft: RealFFT?
    private var centred: [Float]

    public init(readouts: [(site: Site, layer: Int)], numberValues: [Int64], options: LensOptions, referenceOnly: Int?) {
        self.readouts = readouts
        self.referenceOnly = referenceOnly
        self.numberValues = numberValues
        known = Set(numberValues)
        self.options = options
        let p = numberValues.count
        sums = Array(repeating: Sums(bins: p / 2 + 1), count: readouts.count)
        chosenLogits = Array(repeating: nil, count: readouts.count)
        chosenReadouts = Array(repeating: nil, count: readouts.count)
        fft = p >= 1 ? RealFFT(length: p, count: 1, layout: .rows) : nil
        centred = Array(repeating: 0, count: p)
    }

    public init(context: LensContext) {
        self.init(readouts: context.readouts, numberValues: context.numberValues, options: context.options,
                  referenceOnly: context.referenceOnlyForKL ? context.referenceReadout : nil)
    }

    /// Rows `keep` of a computed block whose first row is prompt `firstPrompt`; `answers` holds
    /// the answer of each prompt of the block as a number (nil when it is not a number token).
    public mutating func add(_ block: LensBlock, firstPrompt: Int, keep: Range<Int>, answers: [Int64?]) {
        let p = numberValues.count
        for j in keep {
            addPrompt(firstPrompt + j, answer: answers[j])
            for i in readouts.indices {
                block.numberLogits[i].withUnsafeBufferPointer { logits in
                    add(readout: i, prompt: firstPrompt + j, block.readouts[i][j], numberLogits: UnsafeBufferPointer(rebasing: logits[j * p ..< (j + 1) * p]),
                        answer: answers[j])
                }
            }
        }
        sgemmSeconds += block.sgemmSeconds
        sgemmFlops += block.sgemmFlops
    }

    /// Counts one prompt (call before its readouts).
    public mutating func addPrompt(_ prompt: Int, answer: Int64?) {
        rows += 1
        if answer == nil { notNumbers += 1 }
        if prompt == options.heatmapPrompt { chosenAnswer = answer }
    }

    /// One prompt's readout i.
    public mutating func add(readout i: Int, prompt: Int, _ row: LensPromptReadout, numberLogits: UnsafeBufferPointer<Float>, answer: Int64?) {
        if let rank = row.rank { sums[i].rank += Double(rank); sums[i].rankCount += 1 }
        if let logprob = row.logprob { sums[i].logprob += logprob; sums[i].logprobCount += 1 }
        sums[i].entropy += row.entropy
        if let kl = row.kl { sums[i].kl += kl; sums[i].klCount += 1 }
        if let answer, known.contains(answer) { sums[i].accuracy.add(predicted: row.predictedValue, answer: answer) }
        if prompt == options.heatmapPrompt {
            chosenLogits[i] = Array(numberLogits)
            chosenReadouts[i] = row
        }
        guard let fft else { return }
        // The row's spectrum, centred: mean magnitude (phase-free) and mean coefficient (phase-locked).
        let p = numberLogits.count
        let mean = numberLogits.reduce(0.0) { $0 + Double($1) } / Double(p)
        for c in 0..<p { centred[c] = Float(Double(numberLogits[c]) - mean) }
        centred.withUnsafeBufferPointer { input in
            fft.transform(input) { coefficients in
                for k in 0..<fft.bins {
                    let re = Double(coefficients[2 * k]), im = Double(coefficients[2 * k + 1])
                    sums[i].magnitude[k] += (re * re + im * im).squareRoot()
                    sums[i].real[k] += re
                    sums[i].imaginary[k] += im
                }
            }
        }
    }

    public mutating func addSgemm(seconds: Double, flops: Double) {
        sgemmSeconds += seconds
        sgemmFlops += flops
    }

    public func summary() -> LensSummary {
        let p = numberValues.count
        let count = Double(max(rows, 1))
        var spectra: [RowSpectra] = []
        var out: [LensSummary.Row] = []
        for (i, readout) in readouts.enumerated() {
            let s = sums[i]
            let spectrum = RowSpectra(rows: rows, p: p, meanMagnitude: s.magnitude.map { $0 / count },
                                      magnitudeOfMean: s.real.indices.map { ((s.real[$0] * s.real[$0] + s.imaginary[$0] * s.imaginary[$0]).squareRoot()) / count })
            spectra.append(spectrum)
            let top = SpectralPeaks.standingOut(spectrum.meanMagnitude, p: p)
            out.append(LensSummary.Row(
                site: readout.site, layer: readout.layer, accuracyExact: s.accuracy.exact, accuracyWithin2: s.accuracy.within2,
                accuracyWithin10: s.accuracy.within10, meanRank: s.rankCount > 0 ? s.rank / Double(s.rankCount) : nil,
                meanLogprob: s.logprobCount > 0 ? s.logprob / Double(s.logprobCount) : nil,
                meanEntropy: rows > 0 ? s.entropy / Double(rows) : .nan, meanKL: s.klCount > 0 ? s.kl / Double(s.klCount) : nil,
                topFrequencies: top.map(\.k), topFrequencyZ: top.map(\.z), accuracyCount: s.accuracy.count))
        }
        var summary = LensSummary(readouts: readouts, rows: out, spectra: spectra, prompts: rows, numberValues: numberValues,
                                  answersNotNumbers: notNumbers, options: options, referenceOnly: referenceOnly, chosenAnswer: chosenAnswer,
                                  chosenLogits: chosenLogits, chosenReadouts: chosenReadouts)
        summary.sgemmSeconds = sgemmSeconds
        summary.sgemmFlops = sgemmFlops
        return summary
    }
}

/// Counts, prompt by prompt, how often the predicted number equals the answer, is within ±2 and
/// within ±10; prompts without a prediction do not count. Shares are nil when none counted.
struct NumberAccuracy {
    private var hits = [0, 0, 0]
    private var counted = 0

    mutating func add(predicted: Int64?, answer: Int64) {
        guard let predicted else { return }
        let error = distance(predicted, answer)
        counted += 1
        for (i, bound) in [0, 2, 10].enumerated() where error <= UInt64(bound) { hits[i] += 1 }
    }

    /// The prompts counted.
    var count: Int { counted }
    var exact: Double? { share(0) }
    var within2: Double? { share(1) }
    var within10: Double? { share(2) }

    private func share(_ i: Int) -> Double? { counted > 0 ? Double(hits[i]) / Double(counted) : nil }
}
