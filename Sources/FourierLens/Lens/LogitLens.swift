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

    /// summary.json's names: snake_case, as the flags (--top-k, --heatmap-prompt, --norm).
    enum CodingKeys: String, CodingKey {
        case norm, topK = "top_k", tileColumns = "tile_columns", promptBlock = "prompt_block",
             windowRadius = "window_radius", heatmapPrompt = "heatmap_prompt"
    }
}

extension LensOptions {
    /// Rows of H (readouts × prompts of a block) from which sgemm runs at its large-M rate
    /// (`fourierlens benchmark-sgemm`: the rate flattens past a few hundred rows).
    public static let largeMRows = 1024

    /// The block of prompts for a run: the smallest power of two of at least 64 prompts whose
    /// readouts × prompts reach `largeMRows`, halved while the block's buffers would exceed
    /// `memory` bytes beside what every block shares (W_U, its widened tile, the number
    /// columns). A power of two that stops growing at the large-M target: any budget that
    /// holds the target gives the same block, so runs (and shards) on machines of different
    /// memory align their blocks alike (docs/METHODS.md, "Memory"). The vocabulary tile stays
    /// `tileColumns`: it orders the running sums, so it is part of the arithmetic.
    public func promptBlock(readouts: Int, unembedding: Unembedding, numbers: Int, memory: Int) -> Int {
        let r = max(readouts, 1), d = unembedding.dModel, tile = min(tileColumns, unembedding.vocabulary)
        var block = 64
        while r * block < Self.largeMRows { block *= 2 }
        // Per readout row of a block: the activations read as float16 and widened (this block's
        // and the next's, read meanwhile), normalised and gathered into H; the logit tile and
        // the reference's weights; number logits (computed, copied, written); statistics and top-k.
        let perRow = d * (2 + 4 + 4 + 4 + 4) + tile * 8 + numbers * 12 + topK * 12 + 64
        let shared = unembedding.residentBytes + d * tile * 4 + d * numbers * 4
        let available = memory - shared
        while block > 1 && saturatingProduct([block, r, perRow]) > available { block /= 2 }
        return block
    }
}

/// Per-prompt readouts of one (site, layer).
public struct LensPromptReadout: Sendable, Equatable {
    public let rank: Int?
    public let logprob: Double?
    public let entropy: Double
    /// log Σ e^z over the vocabulary: a token's probability is e^{logit − logSumExp}.
    public let logSumExp: Double
    public let kl: Double?
    /// The argmax over the number tokens: its index in the sorted numbers, and its value.
    public let predictedIndex: Int?
    public let predictedValue: Int64?
    /// The top tokens, best first (column −1 when read back from a file, which keeps tokens).
    public let top: [(column: Int, token: Int64, logit: Float)]
    public static func == (a: Self, b: Self) -> Bool {
        a.rank == b.rank && a.logprob == b.logprob && a.entropy == b.entropy && a.logSumExp == b.logSumExp && a.kl == b.kl
            && a.predictedIndex == b.predictedIndex
            && a.top.map(\.token) == b.top.map(\.token) && a.top.map(\.logit) == b.top.map(\.logit)
    }
}

/// What every block of a lens run shares: the unembedding, the norm, which readouts, the numbers.
public struct LensContext: Sendable {
    public let unembedding: Unembedding
    public let norm: FinalNorm?
    public let readouts: [(site: Site, layer: Int)]
    /// The readout whose distribution is "final" for KL (the last layer's resid_post), if any,
    /// and whether it was read only for that (not asked for: reports leave it out).
    public let referenceReadout: Int?
    public var referenceOnlyForKL = false
    /// The number tokens that have a column in W_U, sorted by value.
    public let numberValues: [Int64]
    let numberWeights: Matrix
    let numberBias: [Float]
    public let options: LensOptions

    public init(unembedding: Unembedding, norm: FinalNorm?, readouts: [(site: Site, layer: Int)], referenceReadout: Int?,
                numberTokens: [Int64], numberValues: [Int64], options: LensOptions) {
        self.unembedding = unembedding; self.norm = norm; self.readouts = readouts
        self.referenceReadout = referenceReadout; self.options = options
        let columns = numberTokens.map { unembedding.column(ofToken: $0) }
        let valid = columns.indices.filter { columns[$0] != nil }
        numberWeights = unembedding.columns(valid.map { columns[$0]! })
        numberBias = valid.map { unembedding.bias?[columns[$0]!] ?? 0 }
        self.numberValues = valid.map { numberValues[$0] }
    }
}

extension LensContext {
    func with(referenceOnlyForKL: Bool) -> LensContext {
        var context = self
        context.referenceOnlyForKL = referenceOnlyForKL
        return context
    }
}

/// One block of prompts through the lens: per readout, each prompt's readouts and number logits.
public struct LensBlock: Sendable {
    public let prompts: Int
    /// [readout][prompt of the block].
    public let readouts: [[LensPromptReadout]]
    /// Per readout, [prompts × p] row-major (numbers in value order).
    public let numberLogits: [[Float]]
    public let sgemmSeconds: Double
    public let sgemmFlops: Double
}

public struct LensResult: Sendable {
    public let readouts: [(site: Site, layer: Int)]
    /// [readout][prompt].
    public let prompts: [[LensPromptReadout]]
    /// Number logits, per readout an [N × p] matrix (columns in number order).
    public let numberLogits: [Matrix]
    public let summary: LensSummary
    public var summaries: [LensSummary.Row] { summary.rows }
}

public enum LogitLens {
    /// Runs the lens over a task held in memory (tests, the every-position view); the lens
    /// command streams the same blocks from the file (LensStream). Pure.
    public static func run(_ task: LensTask, options: LensOptions, progress: ((Double) -> Void)? = nil) -> LensResult {
        let context = LensContext(unembedding: task.unembedding, norm: task.norm, readouts: task.readouts.map { ($0.site, $0.layer) },
                                  referenceReadout: task.referenceReadout, numberTokens: task.numberTokens,
                                  numberValues: task.numberValues, options: options)
            .with(referenceOnlyForKL: task.referenceOnlyForKL)
        let n = task.readouts.first?.activations.rows ?? 0
        var accumulator = LensAccumulator(context: context)
        var prompts = Array(repeating: [LensPromptReadout](), count: task.readouts.count)
        var numberLogits = Array(repeating: [Float](), count: task.readouts.count)
        let workspace = LensWorkspace()
        for range in blockRanges(0..<n, total: n, block: options.promptBlock) {
            let rows = Array(range)
            let block = LogitLens.block(task.readouts.map { gatherRows($0.activations, rows) },
                                        scale: task.finalScale.map { s in rows.map { s[$0] } },
                                        answerTokens: rows.map { task.answerTokens[$0] }, context: context, workspace: workspace)
            accumulator.add(block, firstPrompt: range.lowerBound, keep: 0..<range.count,
                            answers: rows.map { task.answerValues[$0] })
            for i in task.readouts.indices {
                prompts[i] += block.readouts[i]
                numberLogits[i] += block.numberLogits[i]
            }
            progress?(Double(range.upperBound) / Double(max(n, 1)))
        }
        let p = context.numberValues.count
        return LensResult(readouts: context.readouts, prompts: prompts,
                          numberLogits: numberLogits.map { Matrix(rows: n, cols: p, values: $0) }, summary: accumulator.summary())
    }

    /// The blocks of prompts that cover `range`: aligned to multiples of `block` over all `total`
    /// prompts, so a shard computes exactly the blocks an unsharded run does (same rows, same
    /// bits) and keeps only its own prompts of the first and last.
    public static func blockRanges(_ range: Range<Int>, total: Int, block: Int) -> [Range<Int>] {
        guard !range.isEmpty else { return [] }
        return stride(from: range.lowerBound / block * block, to: range.upperBound, by: block).map { $0..<min($0 + block, total) }
    }

    /// One block of prompts through the lens: `activations[i]` holds readout i's rows of these
    /// prompts [B × d]; `scale` and `answerTokens` one entry per prompt. Memory is bounded by the
    /// block × the vocabulary tile. Pure.
    public static func block(_ activations: [Matrix], scale: [Float]?, answerTokens: [Int64?], context: LensContext,
                             workspace: LensWorkspace = LensWorkspace()) -> LensBlock {
        let readoutCount = activations.count, block = answerTokens.count
        let options = context.options, unembedding = context.unembedding
        let p = context.numberValues.count
        // H: every readout's normalised rows for this block, readout-major.
        var h = [Float]()
        h.reserveCapacity(readoutCount * block * unembedding.dModel)
        for (x, readout) in zip(activations, context.readouts) {
            let normalised = context.norm?.apply(x, mode: options.norm, scale: scale, addBias: readsBiases(readout.site, options.norm)) ?? x
            h += normalised.values
        }
        // Per row of H: whether b_U (and the norm's bias, above) belong to it.
        let biased = context.readouts.flatMap { Array(repeating: readsBiases($0.site, options.norm), count: block) }
        let hMatrix = Matrix(rows: readoutCount * block, cols: unembedding.dModel, values: h)
        var answerColumn = [Int](repeating: -1, count: hMatrix.rows)
        var answerLogit = [Float](repeating: .infinity, count: hMatrix.rows)
        var reference = [Int](repeating: -1, count: hMatrix.rows)
        // Each answer's W_U column widened once per block: every readout of a prompt shares it.
        var answerWeights: [Int: [Float]] = [:]
        for i in 0..<readoutCount {
            for j in 0..<block {
                let row = i * block + j
                if let ref = context.referenceReadout { reference[row] = ref * block + j }
                if let token = answerTokens[j], let column = unembedding.column(ofToken: token) {
                    answerColumn[row] = column
                    if answerWeights[column] == nil { answerWeights[column] = unembedding.columnValues(column) }
                    let z = logit(hMatrix, row: row, weights: answerWeights[column]!,
                                  bias: biased[row] ? unembedding.bias?[column] ?? 0 : 0)
                    answerLogit[row] = biased[row] ? unembedding.cap(z) : z
                }
            }
        }
        var stream = VocabularyStream(rows: hMatrix.rows, topK: min(options.topK, unembedding.vocabulary))
        stream.run(hMatrix, unembedding: unembedding, addBias: biased, answerColumn: answerColumn,
                   answerLogit: answerLogit, reference: reference, tileColumns: options.tileColumns, workspace: workspace)
        var blockNumbers = numberProduct(hMatrix, context.numberWeights, bias: context.numberBias, biasedRows: biased)
        if unembedding.softcap != nil {
            blockNumbers.withUnsafeMutableBufferPointer { z in
                for row in 0..<hMatrix.rows where biased[row] { unembedding.cap(z.baseAddress! + row * p, p) }
            }
        }
        var readouts = Array(repeating: [LensPromptReadout](), count: readoutCount)
        var numberLogits = Array(repeating: [Float](), count: readoutCount)
        for i in 0..<readoutCount {
            readouts[i].reserveCapacity(block)
            numberLogits[i] = Array(blockNumbers[i * block * p ..< (i + 1) * block * p])
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
                let numberRow = blockNumbers[row * p ..< (row + 1) * p]
                let best = numberRow.indices.max { numberRow[$0] < numberRow[$1] }.map { $0 - row * p }
                let top = (0..<stream.topK).compactMap { k -> (column: Int, token: Int64, logit: Float)? in
                    let column = stream.topColumns[row * stream.topK + k]
                    return column >= 0 ? (column, unembedding.token(ofColumn: column), stream.topLogits[row * stream.topK + k]) : nil
                }
                readouts[i].append(LensPromptReadout(
                    rank: answerColumn[row] >= 0 ? s.above + 1 : nil,
                    logprob: answerColumn[row] >= 0 ? Double(answerLogit[row]) - lse : nil,
                    entropy: lse - s.weighted / s.sum, logSumExp: lse, kl: kl, predictedIndex: best,
                    predictedValue: best.map { context.numberValues[$0] }, top: top))
            }
        }
        return LensBlock(prompts: block, readouts: readouts, numberLogits: numberLogits,
                         sgemmSeconds: stream.sgemmSeconds, sgemmFlops: stream.sgemmFlops)
    }

    static func logit(_ h: Matrix, row: Int, column: Int, unembedding: Unembedding, bias: Bool) -> Float {
        logit(h, row: row, weights: unembedding.columnValues(column), bias: bias ? unembedding.bias?[column] ?? 0 : 0)
    }

    /// Row `row` of h · a W_U column, summed in order, plus `bias`.
    static func logit(_ h: Matrix, row: Int, weights: [Float], bias: Float) -> Float {
        var sum: Float = 0
        h.values.withUnsafeBufferPointer { x in
            weights.withUnsafeBufferPointer { w in
                for c in 0..<h.cols { sum += x[row * h.cols + c] * w[c] }
            }
        }
        return sum + bias
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

extension Site {
    /// The residual stream (as opposed to a component added to it): the final norm's bias belongs here.
    public var isResidual: Bool { self == .residPre || self == .residMid || self == .residPost }
}

