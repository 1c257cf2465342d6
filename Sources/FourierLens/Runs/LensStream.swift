import Foundation

/// The lens over a dump, streamed: each block of prompts is read from the file (every readout's
/// rows of those prompts), run through the lens, written to lens_prompts.h5 and added to the
/// summary. Nothing is kept per prompt, so memory does not grow with the number of prompts
/// (docs/METHODS.md, "Memory").
public enum LensStream {
    public static func run(_ plan: LensPlan, options: LensOptions, prompts range: Range<Int>, store: LensPromptFile.Writer?,
                           progress: ((Double) -> Void)? = nil) throws -> LensSummary {
        let context = plan.context(options)
        var accumulator = LensAccumulator(context: context)
        let workspace = LensWorkspace()
        for block in LogitLens.blockRanges(range, total: plan.prompts, block: options.promptBlock) {
            let activations = try plan.sources.indices.map { try plan.rows($0, block) }
            let computed = LogitLens.block(activations, scale: plan.finalScale.map { Array($0[block]) },
                                           answerTokens: Array(plan.answerTokens[block]), context: context, workspace: workspace)
            // A shard computes the whole aligned block and keeps its own prompts of it.
            let keep = (max(range.lowerBound, block.lowerBound) - block.lowerBound)..<(min(range.upperBound, block.upperBound) - block.lowerBound)
            let answers = Array(plan.answerValues[block])
            accumulator.add(computed, firstPrompt: block.lowerBound, keep: keep, answers: answers)
            try store?.write(computed, firstPrompt: block.lowerBound, keep: keep, answers: answers)
            progress?(Double(block.upperBound - range.lowerBound) / Double(max(range.count, 1)))
        }
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
