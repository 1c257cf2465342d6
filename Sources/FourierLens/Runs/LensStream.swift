import Dispatch
import Foundation

/// The lens over a dump, streamed: each block of prompts is read from the file (every readout's
/// rows of those prompts), run through the lens, written to lens_prompts.h5 and added to the
/// summary. Nothing is kept per prompt, so memory does not grow with the number of prompts
/// (docs/METHODS.md, "Memory"). Reading and writing overlap the computation: while a block runs
/// through sgemm, one I/O thread writes the previous block's per-prompt results and then reads
/// (and widens) the next block; the HDF5 library is only ever called from one thread at a time.
public enum LensStream {
    public static func run(_ plan: LensPlan, options: LensOptions, prompts range: Range<Int>, store: LensPromptFile.Writer?,
                           progress: ((Double) -> Void)? = nil) throws -> LensSummary {
        let context = plan.context(options)
        var accumulator = LensAccumulator(context: context)
        let workspace = LensWorkspace()
        let blocks = LogitLens.blockRanges(range, total: plan.prompts, block: options.promptBlock)
        let io = BackgroundIO()
        let read = { (block: Range<Int>) in try plan.sources.indices.map { try plan.rows($0, block) } }
        var next: Pending<[Matrix]>? = blocks.first.map { block in io.submit { try read(block) } }
        var previousWrite: Pending<Void>? = nil
        defer { io.drain() }
        for (index, block) in blocks.enumerated() {
            let activations = try next!.value()
            next = index + 1 < blocks.count ? io.submit { [block = blocks[index + 1]] in try read(block) } : nil
            let computed = LogitLens.block(activations, scale: plan.finalScale.map { Array($0[block]) },
                                           answerTokens: Array(plan.answerTokens[block]), context: context, workspace: workspace)
            // A shard computes the whole aligned block and keeps its own prompts of it.
            let keep = (max(range.lowerBound, block.lowerBound) - block.lowerBound)..<(min(range.upperBound, block.upperBound) - block.lowerBound)
            let answers = Array(plan.answerValues[block])
            accumulator.add(computed, firstPrompt: block.lowerBound, keep: keep, answers: answers)
            // Writes run in block order on the I/O thread. The previous block's write was queued
            // before this block computed, ahead of the next block's read, so it is done by now:
            // waiting costs nothing and throws the first failure in order.
            try previousWrite?.value()
            if let store {
                previousWrite = io.submit { try store.write(computed, firstPrompt: block.lowerBound, keep: keep, answers: answers) }
            }
            progress?(Double(block.upperBound - range.lowerBound) / Double(max(range.count, 1)))
        }
        try previousWrite?.value()
        try store?.finish()
        return accumulator.summary()
    }

    /// The header of the lens_prompts.h5 a run over `range` writes.
    public static func header(_ plan: LensPlan, options: LensOptions, prompts range: Range<Int>) throws -> LensPromptFile.Header {
        let context = plan.context(options)
        return LensPromptFile.Header(source: plan.file.path, promptStart: range.lowerBound, promptEnd: range.upperBound,
                                     promptsTotal: plan.prompts, topK: min(options.topK, plan.unembedding.vocabulary), options: options,
                                     sites: plan.readouts.map(\.site.rawValue), layers: plan.readouts.map(\.layer),
                                     referenceOnly: plan.referenceOnlyForKL ? plan.referenceReadout : nil, numberValues: context.numberValues,
                                     sourceSHA256: try FileDigest.sha256(plan.file.path), vocabulary: plan.unembedding.vocabulary)
    }
}

/// One serial background thread for a stream's file work, in submission order.
final class BackgroundIO: @unchecked Sendable {
    private let queue = DispatchQueue(label: "fourierlens.stream-io")
    private let group = DispatchGroup()

    func submit<T>(_ work: @escaping () throws -> T) -> Pending<T> {
        let pending = Pending<T>()
        let job = UncheckedWork { pending.finish(Result { try work() }) }
        queue.async(group: group) { job.run() }
        return pending
    }

    /// Waits for every job submitted (a stream that stops early leaves none running).
    func drain() { group.wait() }
}

private struct UncheckedWork: @unchecked Sendable {
    let run: () -> Void
}

/// The result of a job on another thread, waited for where it is needed.
final class Pending<T>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var result: Result<T, Error>?

    fileprivate func finish(_ result: Result<T, Error>) {
        lock.withLock { self.result = result }
        done.signal()
    }

    /// Waits for the job and returns its value or throws its error.
    func value() throws -> T {
        if let result = lock.withLock({ result }) { return try result.get() }
        done.wait()
        done.signal()
        return try lock.withLock { result! }.get()
    }
}
