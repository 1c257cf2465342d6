import Foundation

/// The lens at every position of [N × pos × d] activations (a layer × position view): one run
/// per position, over the prompts that have a real token there (/prompts/tokens "" marks padding).
public enum LensPositions {
    public struct Row: Sendable {
        public let position: Int
        /// The token most prompts have at this position ("" when the dump names none).
        public let token: String
        /// Prompts read at this position (those not padded there).
        public let prompts: Int
        /// The readouts asked for (the KL reference read only for KL is left out).
        public let summaries: [LensSummary.Row]
    }

    /// One cell of the chosen prompt's prediction trajectory: what a readout of one layer and
    /// site predicts at one position of that prompt (as tuned-lens's trajectory plots).
    public struct TrajectoryCell: Sendable, Equatable {
        public let position: Int
        /// The prompt's own token at this position ("" when the dump names none).
        public let inputToken: String
        public let site: Site
        public let layer: Int
        /// The most probable token over the whole vocabulary, and its probability.
        public let topToken: Int64
        public let topProbability: Double
        /// The prompt's answer at this position: its rank over the vocabulary (1 = top) and
        /// probability; nil when the answer has no column in W_U.
        public let answerRank: Int?
        public let answerProbability: Double?
    }

    public struct Result: Sendable {
        public let rows: [Row]
        /// The prompt options.heatmapPrompt at each of its positions that is not padding,
        /// position by position, readouts in the run's order.
        public let trajectory: [TrajectoryCell]
        public let chosenPrompt: Int
    }

    public static func run(file: HDF5File, dump: Dump, sites: [Site]?, layers: [Int]?, options: LensOptions,
                           allowNonFinite: Bool) throws -> Result {
        guard let width = dump.activations.values.flatMap({ $0.values }).compactMap(\.positions).first else {
            throw FourierLensError.badInput(file: file.path, dataset: "/acts", expected: "[N × pos × d] activations for --every-position")
        }
        var tokens: [String]? = nil
        if let info = dump.promptTokens, info.rank == 2 { tokens = try file.readStrings(info.path, anyRank: true) }
        let chosen = options.heatmapPrompt
        var rows: [Row] = [], trajectory: [TrajectoryCell] = []
        for position in 0..<width {
            let task = try LensInput.load(file: file, dump: dump, sites: sites, layers: layers, norm: options.norm,
                                          position: position, allowNonFinite: allowNonFinite)
            let n = task.answerValues.count
            let here = tokens.map { t in (0..<n).map { t[$0 * width + position] } }
            let keep = (0..<n).filter { here?[$0] != "" }
            guard !keep.isEmpty else { continue }
            var positionOptions = options
            positionOptions.heatmapPrompt = 0
            let result = LogitLens.run(task.keeping(keep), options: positionOptions)
            let counts = Dictionary(keep.compactMap { here?[$0] }.map { ($0, 1) }, uniquingKeysWith: +)
            let token = counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key ?? ""
            rows.append(Row(position: position, token: token, prompts: keep.count, summaries: result.summary.askedOnly().rows))
            if let index = keep.firstIndex(of: chosen) {
                trajectory += trajectoryCells(result, prompt: index, position: position, inputToken: here?[chosen] ?? "")
            }
        }
        return Result(rows: rows, trajectory: trajectory, chosenPrompt: chosen)
    }

    /// Prompt `prompt` of a run at one position: one cell per readout asked for. Pure.
    static func trajectoryCells(_ result: LensResult, prompt: Int, position: Int, inputToken: String) -> [TrajectoryCell] {
        result.readouts.indices.compactMap { i -> TrajectoryCell? in
            let readout = result.prompts[i][prompt]
            guard i != result.summary.referenceOnly, let top = readout.top.first else { return nil }
            return TrajectoryCell(position: position, inputToken: inputToken, site: result.readouts[i].site,
                                  layer: result.readouts[i].layer, topToken: top.token,
                                  topProbability: exp(Double(top.logit) - readout.logSumExp),
                                  answerRank: readout.rank, answerProbability: readout.logprob.map { exp($0) })
        }
    }
}

extension LensTask {
    /// The same task over the prompts `rows` only.
    func keeping(_ rows: [Int]) -> LensTask {
        var task = self
        task.readouts = readouts.map { LensReadout(site: $0.site, layer: $0.layer, activations: gatherRows($0.activations, rows)) }
        task.finalScale = finalScale.map { s in rows.map { s[$0] } }
        task.answerValues = rows.map { answerValues[$0] }
        task.answerTokens = rows.map { answerTokens[$0] }
        task.answersNotNumbers = task.answerValues.reduce(0) { $0 + ($1 == nil ? 1 : 0) }
        return task
    }
}
