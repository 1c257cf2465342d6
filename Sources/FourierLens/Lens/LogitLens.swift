import CLAPACK
import Foundation

/// One layer's activations at one site, [N × d] (one row per prompt).
public struct LensReadout: Sendable {
    public let site: Site
    public let layer: Int
    public let activations: Matrix
    public init(site: Site, layer: Int, activations: Matrix) {
        self.site = site; self.layer = layer; self.activations = activations
    }
}

/// Everything the lens reads, already loaded: the hand-off from the dump to the analysis.
public struct LensTask: Sendable {
    public var readouts: [LensReadout]
    public var unembedding: Unembedding
    public var norm: FinalNorm?
    public var finalScale: [Float]?
    /// The answer of each prompt as a number (nil when it is not one).
    public var answerValues: [Int64?]
    /// The answer of each prompt as a token id (nil when unknown).
    public var answerTokens: [Int64?]
    /// The number tokens, sorted by value.
    public var numberTokens: [Int64]
    public var numberValues: [Int64]
    /// The readout whose distribution is "final" for KL (the last layer's resid_post), if any.
    public var referenceReadout: Int?
    /// true when that readout was read only for KL (not asked for): the filter leaves it out.
    public var referenceOnlyForKL = false
    /// Prompts whose answer is not a number token: the number readouts skip them.
    public var answersNotNumbers = 0

    public init(readouts: [LensReadout], unembedding: Unembedding, norm: FinalNorm?, finalScale: [Float]?,
                answerValues: [Int64?], answerTokens: [Int64?], numberTokens: [Int64], numberValues: [Int64],
                referenceReadout: Int?) {
        self.readouts = readouts; self.unembedding = unembedding; self.norm = norm; self.finalScale = finalScale
        self.answerValues = answerValues; self.answerTokens = answerTokens; self.numberTokens = numberTokens
        self.numberValues = numberValues; self.referenceReadout = referenceReadout
    }
}

public struct LensOptions: Sendable, Codable, Equatable {
    public var norm = NormMode.none
    public var topK = 10
    public var tileColumns = 4096
    public var promptBlock = 64
    public var windowRadius = 10
    public var heatmapPrompt = 0
    public init() {}
}

/// Per-prompt readouts of one (site, layer).
public struct LensPromptReadout: Sendable, Equatable {
    public let rank: Int?
    public let logprob: Double?
    public let entropy: Double
    public let kl: Double?
    public let predictedValue: Int64?
    public let top: [(column: Int, logit: Float)]
    public static func == (a: Self, b: Self) -> Bool {
        a.rank == b.rank && a.logprob == b.logprob && a.entropy == b.entropy && a.kl == b.kl && a.predictedValue == b.predictedValue
    }
}

public struct LensResult: Sendable {
    public let readouts: [(site: Site, layer: Int)]
    /// [readout][prompt].
    public let prompts: [[LensPromptReadout]]
    /// Number logits, per readout an [N × p] matrix (columns in number order).
    public let numberLogits: [Matrix]
    public let numberSpectra: [RowSpectra]
    public let answerValues: [Int64?]
    public let numberValues: [Int64]
    public let sgemmSeconds: Double
    public let sgemmFlops: Double
    public let options: LensOptions
    /// Prompts whose answer is not a number token: left out of the number accuracies.
    public var answersNotNumbers = 0
}

public enum LogitLens {
    /// Runs the lens. Pure: no I/O; memory is bounded by the prompt block × vocabulary tile.
    /// `progress` hears the fraction of prompts done after each block (for a progress bar).
    public static func run(_ task: LensTask, options: LensOptions, progress: ((Double) -> Void)? = nil) -> LensResult {
        let readoutCount = task.readouts.count
        let n = task.readouts.first?.activations.rows ?? 0
        let numberColumns = task.numberTokens.map { task.unembedding.column(ofToken: $0) }
        let validNumbers = numberColumns.indices.filter { numberColumns[$0] != nil }
        let numberWeights = task.unembedding.columns(validNumbers.map { numberColumns[$0]! })
        let numberValues = validNumbers.map { task.numberValues[$0] }
        let p = numberValues.count
        var prompts = Array(repeating: [LensPromptReadout](), count: readoutCount)
        var numberLogits = Array(repeating: [Float](), count: readoutCount)
        var seconds = 0.0, flops = 0.0
        var blockStart = 0
        while blockStart < n {
            let block = min(options.promptBlock, n - blockStart)
            let rows = Array(blockStart..<(blockStart + block))
            // H: every readout's normalised rows for this block, readout-major.
            var h = [Float]()
            h.reserveCapacity(readoutCount * block * task.unembedding.dModel)
            for readout in task.readouts {
                let x = gatherRows(readout.activations, rows)
                let scale = task.finalScale.map { s in rows.map { s[$0] } }
                let normalised = task.norm?.apply(x, mode: options.norm, scale: scale,
                                                  addBias: readsBiases(readout.site, options.norm)) ?? x
                h += normalised.values
            }
            // Per row of H: whether b_U (and the norm's bias, above) belong to it.
            let biased = task.readouts.flatMap { Array(repeating: readsBiases($0.site, options.norm), count: block) }
            let hMatrix = Matrix(rows: readoutCount * block, cols: task.unembedding.dModel, values: h)
            var answerColumn = [Int](repeating: -1, count: hMatrix.rows)
            var answerLogit = [Float](repeating: .infinity, count: hMatrix.rows)
            var reference = [Int](repeating: -1, count: hMatrix.rows)
            for i in 0..<readoutCount {
                for j in 0..<block {
                    let row = i * block + j
                    if let ref = task.referenceReadout { reference[row] = ref * block + j }
                    if let token = task.answerTokens[rows[j]], let column = task.unembedding.column(ofToken: token) {
                        answerColumn[row] = column
                        answerLogit[row] = logit(hMatrix, row: row, column: column, unembedding: task.unembedding, bias: biased[row])
                    }
                }
            }
            var stream = VocabularyStream(rows: hMatrix.rows, topK: min(options.topK, task.unembedding.vocabulary))
            stream.run(hMatrix, unembedding: task.unembedding, addBias: biased, answerColumn: answerColumn,
                       answerLogit: answerLogit, reference: reference, tileColumns: options.tileColumns)
            seconds += stream.sgemmSeconds
            flops += stream.sgemmFlops
            let numberBias = validNumbers.map { task.unembedding.bias?[numberColumns[$0]!] ?? 0 }
            let blockNumbers = numberProduct(hMatrix, numberWeights, bias: numberBias, biasedRows: biased)
            for i in 0..<readoutCount {
                for j in 0..<block {
                    let row = i * block + j
                    let s = stream.statistics[row]
                    let lse = Double(s.max) + log(s.sum)
                    var kl: Double? = nil
                    if reference[row] >= 0 {
                        let f = stream.statistics[reference[row]]
                        let lseF = Double(f.max) + log(f.sum)
                        kl = row == reference[row] ? 0 : max(0, (f.weighted / f.sum - lseF) - (s.crossWithReference / f.sum - lse))
                    }
                    let numberRow = Array(blockNumbers[row * p ..< (row + 1) * p])
                    numberLogits[i] += numberRow
                    let best = numberRow.indices.max { numberRow[$0] < numberRow[$1] }
                    let top = (0..<stream.topK).compactMap { k -> (column: Int, logit: Float)? in
                        let column = stream.topColumns[row * stream.topK + k]
                        return column >= 0 ? (column, stream.topLogits[row * stream.topK + k]) : nil
                    }
                    prompts[i].append(LensPromptReadout(
                        rank: answerColumn[row] >= 0 ? s.above + 1 : nil,
                        logprob: answerColumn[row] >= 0 ? Double(answerLogit[row]) - lse : nil,
                        entropy: lse - s.weighted / s.sum, kl: kl,
                        predictedValue: best.map { numberValues[$0] }, top: top))
                }
            }
            blockStart += block
            progress?(Double(blockStart) / Double(n))
        }
        let matrices = numberLogits.map { Matrix(rows: n, cols: p, values: $0) }
        var result = LensResult(readouts: task.readouts.map { ($0.site, $0.layer) }, prompts: prompts, numberLogits: matrices,
                                numberSpectra: matrices.map { RowSpectra.of($0, center: true) }, answerValues: task.answerValues,
                                numberValues: numberValues, sgemmSeconds: seconds, sgemmFlops: flops, options: options)
        result.answersNotNumbers = task.answersNotNumbers
        return result
    }

    static func logit(_ h: Matrix, row: Int, column: Int, unembedding: Unembedding, bias: Bool) -> Float {
        var sum: Float = 0
        let v = unembedding.vocabulary
        for c in 0..<h.cols { sum += h.values[row * h.cols + c] * unembedding.weights.values[c * v + column] }
        return sum + (bias ? unembedding.bias?[column] ?? 0 : 0)
    }

    /// The final norm's bias and b_U belong to residual-stream readouts under a norm mode: they
    /// are added once to the whole residual, never to each component (TransformerLens's
    /// `decompose_resid(apply_ln=True) @ W_U` adds neither); mode none adds no bias anywhere.
    static func readsBiases(_ site: Site, _ mode: NormMode) -> Bool { mode != .none && site.isResidual }

    /// H · W_num (+ bias on the rows `biasedRows` marks, every row when it is nil), [rows × p].
    static func numberProduct(_ h: Matrix, _ weights: Matrix, bias: [Float]?, biasedRows: [Bool]? = nil) -> [Float] {
        var out = [Float](repeating: 0, count: h.rows * weights.cols)
        guard weights.cols > 0 else { return out }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(h.rows), Int32(weights.cols), Int32(h.cols), 1,
                    h.values, Int32(h.cols), weights.values, Int32(weights.cols), 0, &out, Int32(weights.cols))
        if let bias {
            for r in 0..<h.rows where biasedRows?[r] ?? true { for c in 0..<weights.cols { out[r * weights.cols + c] += bias[c] } }
        }
        return out
    }
}

/// Share of the prompts whose predicted number equals the answer, is within ±2, within ±10;
/// prompts without a predicted number or an answer do not count (nil when none counts).
struct NumberAccuracy {
    var exact: Double?
    var within2: Double?
    var within10: Double?

    init(predicted: [Int64?], answers: [Int64?]) {
        var hits = [0, 0, 0], counted = 0
        for (prediction, answer) in zip(predicted, answers) {
            guard let prediction, let answer else { continue }
            let error = distance(prediction, answer)
            counted += 1
            for (i, bound) in [0, 2, 10].enumerated() where error <= UInt64(bound) { hits[i] += 1 }
        }
        guard counted > 0 else { return }
        (exact, within2, within10) = (Double(hits[0]) / Double(counted), Double(hits[1]) / Double(counted),
                                      Double(hits[2]) / Double(counted))
    }
}

extension Site {
    /// The residual stream (as opposed to a component added to it): the final norm's bias belongs here.
    public var isResidual: Bool { self == .residPre || self == .residMid || self == .residPost }
}

extension LensResult {
    public struct Summary: Sendable {
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
    }

    public var summaries: [Summary] {
        readouts.indices.map { i in
            let rows = prompts[i]
            func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }
            let known = Set(numberValues)
            let accuracy = NumberAccuracy(predicted: rows.map(\.predictedValue),
                                          answers: answerValues.map { $0.flatMap { known.contains($0) ? $0 : nil } })
            let spectrum = numberSpectra[i].meanMagnitude
            let top = SpectralPeaks.standingOut(spectrum, p: numberValues.count)
            return Summary(site: readouts[i].site, layer: readouts[i].layer, accuracyExact: accuracy.exact,
                           accuracyWithin2: accuracy.within2, accuracyWithin10: accuracy.within10,
                           meanRank: mean(rows.compactMap { $0.rank.map(Double.init) }),
                           meanLogprob: mean(rows.compactMap(\.logprob)), meanEntropy: mean(rows.map(\.entropy)) ?? .nan,
                           meanKL: mean(rows.compactMap(\.kl)), topFrequencies: top.map(\.k), topFrequencyZ: top.map(\.z))
        }
    }
}
