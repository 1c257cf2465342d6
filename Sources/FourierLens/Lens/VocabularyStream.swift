import CKernels
import CLAPACK
import Dispatch
import Foundation

/// Full-vocabulary statistics of many logit rows, computed a tile of vocabulary columns at a
/// time: the product H · W_U[:, tile] goes through sgemm, and each row keeps only running
/// numbers — its maximum, Σe^{z−max} and Σe^{z−max}·z (log-sum-exp and entropy), the count of
/// logits above the answer's (rank), a running top-k, and Σe^{z_ref−max_ref}·z against a
/// reference row (KL to the final layer). No row's full logits are ever kept.
struct VocabularyStream {
    struct RowStatistics {
        var max = -Float.infinity
        var sum = 0.0
        var weighted = 0.0
        var above = 0
        var crossWithReference = 0.0
    }

    let rows: Int
    let topK: Int
    private(set) var statistics: [RowStatistics]
    private(set) var topLogits: [Float]
    private(set) var topColumns: [Int]
    /// Seconds spent inside sgemm, and the floating-point operations it did.
    private(set) var sgemmSeconds = 0.0
    private(set) var sgemmFlops = 0.0

    init(rows: Int, topK: Int) {
        self.rows = rows
        self.topK = topK
        statistics = Array(repeating: RowStatistics(), count: rows)
        topLogits = Array(repeating: -.infinity, count: rows * topK)
        topColumns = Array(repeating: -1, count: rows * topK)
    }

    /// Streams H [rows × d] against every column of `unembedding`.
    /// - answerColumn / answerLogit: per row, the answer's column (−1: none) and its logit.
    /// - reference: per row, the row whose distribution is its KL reference (−1: none); a
    ///   reference row refers to itself.
    mutating func run(_ h: Matrix, unembedding: Unembedding, addBias: [Bool], answerColumn: [Int], answerLogit: [Float],
                      reference: [Int], tileColumns: Int, workspace: LensWorkspace = LensWorkspace()) {
        let d = h.cols, vocabulary = unembedding.vocabulary
        let referenceRows = Array(Set(reference.filter { $0 >= 0 })).sorted()
        let otherRows = (0..<rows).filter { reference[$0] != $0 }
        let widest = min(tileColumns, vocabulary)
        // The workspace's buffers, moved out for this call and back at its end (no copy).
        var tile = workspace.tile, weights = workspace.weights, widened = workspace.widened
        (workspace.tile, workspace.weights, workspace.widened) = ([], [], [])
        defer { (workspace.tile, workspace.weights, workspace.widened) = (tile, weights, widened) }
        if tile.count < rows * widest { tile = [Float](repeating: 0, count: rows * widest) }
        if weights.count < max(1, referenceRows.isEmpty ? 1 : rows * widest) {
            weights = [Float](repeating: 0, count: referenceRows.isEmpty ? 1 : rows * widest)
        }
        let backend = workspace.backend
        var rescale = [Double](repeating: 1, count: rows)
        let bias = addBias.contains(true) ? unembedding.bias : nil
        var start = 0
        while start < vocabulary {
            let width = min(tileColumns, vocabulary - start)
            let clock = DispatchTime.now().uptimeNanoseconds
            unembedding.withColumns(start, width, scratch: &widened) { b, stride in
                h.values.withUnsafeBufferPointer { a in
                    tile.withUnsafeMutableBufferPointer { c in
                        backend.tileProduct(a.baseAddress!, rows: rows, d: d, b, width: width, stride: stride, into: c.baseAddress!)
                    }
                }
            }
            sgemmSeconds += Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
            sgemmFlops += 2 * Double(rows) * Double(width) * Double(d)
            if let bias {
                for r in 0..<rows where addBias[r] { for c in 0..<width { tile[r * width + c] += bias[start + c] } }
            }
            if unembedding.softcap != nil {  // the model's logits: soft-capped after b_U
                tile.withUnsafeMutableBufferPointer { t in
                    for r in 0..<rows where addBias[r] { unembedding.cap(t.baseAddress! + r * width, width) }
                }
            }
            tile.withUnsafeBufferPointer { tilePointer in
            weights.withUnsafeMutableBufferPointer { weightPointer in
            rescale.withUnsafeMutableBufferPointer { rescalePointer in
            statistics.withUnsafeMutableBufferPointer { statsPointer in
            topLogits.withUnsafeMutableBufferPointer { topPointer in
            topColumns.withUnsafeMutableBufferPointer { columnPointer in
            answerColumn.withUnsafeBufferPointer { answerColumnPointer in
            answerLogit.withUnsafeBufferPointer { answerLogitPointer in
            reference.withUnsafeBufferPointer { referencePointer in
                let context = TileContext(
                    tile: tilePointer.baseAddress!, width: width, start: start, topK: topK,
                    stats: statsPointer.baseAddress!, topLogits: topPointer.baseAddress!, topColumns: columnPointer.baseAddress!,
                    weights: weightPointer.baseAddress!, rescale: rescalePointer.baseAddress!,
                    answerColumn: answerColumnPointer.baseAddress!, answerLogit: answerLogitPointer.baseAddress!,
                    reference: referencePointer.baseAddress!)
                backend.reduceTile(context, referenceRows: referenceRows, otherRows: otherRows)
            }}}}}}}}}
            start += width
        }
    }

    /// Runs `body` for every row on both cores (rows are independent).
    static func parallel(_ rows: [Int], _ body: @escaping @Sendable (Int) -> Void) {
        guard !rows.isEmpty else { return }
        let workers = rows.count >= 8 ? 2 : 1
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < rows.count {
                body(rows[i])
                i += workers
            }
        }
    }
}

/// Buffers the lens reuses from block to block (the logit tile, the reference's weights, a
/// widened W_U tile): allocating them anew for every block costs a page fault per 4 KiB; and
/// the backend that computes each tile.
public final class LensWorkspace: @unchecked Sendable {
    var tile: [Float] = []
    var weights: [Float] = []
    var widened: [Float] = []
    public let backend: any LensBackend
    public init(backend: any LensBackend = BLASLensBackend()) { self.backend = backend }
}

/// What the lens asks of the machine for each vocabulary tile: the logits of a block's rows
/// against the tile's columns, and the per-row reductions over them (running log-sum-exp,
/// entropy sums, answer rank, top-k and the KL cross term). Another backend (another BLAS, a
/// GPU) implements these two and the lens, its blocks and its files stay as they are; it must
/// give the same bits as BLASLensBackend for reports to stay byte-identical across backends.
public protocol LensBackend: Sendable {
    /// c [rows × width] = a [rows × d] · b [d × width] (b's rows `stride` apart), all row-major.
    func tileProduct(_ a: UnsafePointer<Float>, rows: Int, d: Int, _ b: UnsafePointer<Float>, width: Int, stride: Int,
                     into c: UnsafeMutablePointer<Float>)
    /// Folds one tile of logits into every row's running statistics: first the reference rows
    /// (whose weights e^{z−max} serve the KL of the others), then the other rows.
    func reduceTile(_ tile: TileContext, referenceRows: [Int], otherRows: [Int])
}

/// OpenBLAS's sgemm, and the reductions on both cores through the C kernels.
public struct BLASLensBackend: LensBackend {
    public init() {}

    public func tileProduct(_ a: UnsafePointer<Float>, rows: Int, d: Int, _ b: UnsafePointer<Float>, width: Int, stride: Int,
                            into c: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(width), Int32(d), 1,
                    a, Int32(d), b, Int32(stride), 0, c, Int32(width))
    }

    public func reduceTile(_ tile: TileContext, referenceRows: [Int], otherRows: [Int]) {
        VocabularyStream.parallel(referenceRows) { tile.update($0, keepWeights: true) }
        VocabularyStream.parallel(otherRows) { row in
            tile.update(row, keepWeights: false)
            tile.accumulateCross(row)
        }
    }
}

/// The buffers of one tile, shared by the workers; each worker touches only its own rows.
public struct TileContext: @unchecked Sendable {
    let tile: UnsafePointer<Float>
    let width: Int
    let start: Int
    let topK: Int
    let stats: UnsafeMutablePointer<VocabularyStream.RowStatistics>
    let topLogits: UnsafeMutablePointer<Float>
    let topColumns: UnsafeMutablePointer<Int>
    let weights: UnsafeMutablePointer<Float>
    let rescale: UnsafeMutablePointer<Double>
    let answerColumn: UnsafePointer<Int>
    let answerLogit: UnsafePointer<Float>
    let reference: UnsafePointer<Int>

    /// Running log-sum-exp and entropy sums, answer rank and top-k (sorted descending) of row r
    /// over this tile, in one pass of the C kernel.
    public func update(_ r: Int, keepWeights: Bool) {
        let z = tile + r * width
        var tileMax: Float = 0
        var above = 0
        rescale[r] = fl_row_update(z, width, &stats[r].max, &stats[r].sum, &stats[r].weighted, &above, answerLogit[r],
                                   keepWeights ? weights + r * width : nil, &tileMax, topLogits + r * topK,
                                   topColumns + r * topK, topK, start)
        stats[r].above += above
        // The answer's own logit, computed apart, may differ in the last bit: never count it.
        let a = answerColumn[r]
        if a >= start, a < start + width, z[a - start] > answerLogit[r] { stats[r].above -= 1 }
    }

    /// Σ e^{z_ref − max_ref} · z for row r against its reference row (already updated).
    public func accumulateCross(_ r: Int) {
        let ref = reference[r]
        guard ref >= 0 else { return }
        let dot = fl_dot(weights + ref * width, tile + r * width, width)
        stats[r].crossWithReference = stats[r].crossWithReference * rescale[ref] + dot
    }
}
