import ArgumentParser
import FourierLens
import Foundation

struct FilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Fourier filtering: remove a band of frequencies from activations (Zhou et al. 2024, Def. A.6).",
        discussion: "Writes filtered.h5 (to patch back into the model), filter_effect.csv, summary.json and index.html."
    )

    @Argument(help: "The dump (an HDF5 file).")
    var dump: String

    @OptionGroup var readouts: ReadoutOptions

    @Option(help: "What to remove: low (1 ≤ k < tau, a high-pass filter), high (tau ≤ k ≤ p/2, a low-pass filter), a set of frequencies k such as 14,35,41, or key (the key set of W_U's number columns).")
    var remove: String?

    @Option(help: "Keep only these frequencies k (and k = 0), such as 14,35,41, or key (the key set of W_U's number columns): every other is removed.")
    var keep: String?

    @Option(help: "With key: the smallest ratio between consecutive sorted energies that counts as the key set's gap.")
    var keyMinGap = 2.0

    @Option(help: "With key: frequencies of period longer than this (k < p/T, the slow trend) are left out of the key set; 0 keeps them.")
    var trendPeriod = SpectrumOptions.defaultTrendPeriod

    @Flag(help: "Filter in the Fourier basis of W_U as read through the final norm (diag(w)·W_U, centred for a LayerNorm): for residual sites of a model with a final norm.")
    var foldFinalNorm = false

    @Option(help: "The threshold of low/high as a frequency k.")
    var tau: Int?

    @Option(help: "The threshold of low/high as a period T (k = p/T).")
    var tauPeriod: Double?

    @Flag(help: "Filter even when the removed subspace spans all of d_model (the activations then become 0).")
    var allowFullRank = false

    @Flag(help: "Mark the readouts (every site and layer filtered) to be patched back into the model together, in one forward pass (python -m fourierlens patch); without it each is patched on its own.")
    var joint = false

    @OptionGroup var output: OutputOptions

    var isBand: Bool { remove == "low" || remove == "high" }

    func validate() throws {
        guard (remove == nil) != (keep == nil) else { throw ValidationError("give what to filter as --remove low|high|K,K,… or as --keep K,K,…") }
        if isBand {
            if (tau == nil) == (tauPeriod == nil) { throw ValidationError("give the threshold of --remove \(remove!) as --tau K or as --tau-period T") }
        } else if tau != nil || tauPeriod != nil {
            throw ValidationError("--tau and --tau-period go with --remove low or high, not with a set of frequencies")
        }
        if let tauPeriod, !(tauPeriod > 1) { throw ValidationError("--tau-period must be greater than 1 (found \(tauPeriod))") }
    }

    /// What to filter, once p is known.
    func selection(_ plan: LensPlan, weights: Matrix) throws -> FrequencySelection {
        let p = plan.numberValues.count
        if keep == "key" || remove == "key" {
            try requireKeyMinGap(keyMinGap)
            try requireTrendPeriod(trendPeriod)
            var trend = SpectrumOptions()
            trend.trendPeriod = trendPeriod
            let set = try FilterRun.keySet(plan, weights: weights, minimumRatio: keyMinGap, from: trend.firstPeriodic(p: p))
            output.note("key set of W_U's number columns\(foldFinalNorm ? " (folded into the final norm)" : ""): \(SpectrumReport.describe(set, p: p))")
            return keep != nil ? .keep(set.frequencies) : .remove(set.frequencies)
        }
        if let keep { return .keep(try FrequencySelection.parseSet(keep, option: "keep", p: p)) }
        guard isBand else { return .remove(try FrequencySelection.parseSet(remove!, option: "remove", p: p)) }
        let k = tau ?? Int((Double(p) / tauPeriod!).rounded())
        return remove == "low" ? .low(tau: k) : .high(tau: k)
    }

    func run() throws {
        let directory = try output.directory(default: "\(stem(dump))-filter", inputs: [dump])
        let (_, roles, plan) = try readouts.plan(dump, norm: .none)
        let range = try readouts.promptRange(plan.prompts)
        output.noteSkippedAnswers(plan.answerValues[range].reduce(0) { $0 + ($1 == nil ? 1 : 0) }, of: range.count)
        let weights = try FilterRun.numberWeights(plan, foldFinalNorm: foldFinalNorm)
        let filter = try FilterRun.prepare(plan, weights: weights, selection: try selection(plan, weights: weights), allowFullRank: allowFullRank)
        let result = try FilterStream.run(plan, dump: roles, filter: filter, weights: weights, foldFinalNorm: foldFinalNorm,
                                          joint: joint, prompts: range, to: directory.staged)
        try FilterReport.write(result, to: directory)
        try directory.commit()
        output.announce(directory, findings: Findings.filter(result))
    }
}
