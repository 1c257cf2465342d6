/// The lens at every position of [N × pos × d] activations (a layer × position view): one run
/// per position, over the prompts that have a real token there (/prompts/tokens "" marks padding).
public enum LensPositions {
    public struct Row: Sendable {
        public let position: Int
        /// The token most prompts have at this position ("" when the dump names none).
        public let token: String
        /// Prompts read at this position (those not padded there).
        public let prompts: Int
        public let summaries: [LensSummary.Row]
    }

    public static func run(file: HDF5File, dump: Dump, sites: [Site]?, layers: [Int]?, options: LensOptions,
                           allowNonFinite: Bool) throws -> [Row] {
        guard let width = dump.activations.values.flatMap({ $0.values }).compactMap(\.positions).first else {
            throw FourierLensError.badInput(file: file.path, dataset: "/acts", expected: "[N × pos × d] activations for --every-position")
        }
        var tokens: [String]? = nil
        if let info = dump.promptTokens, info.rank == 2 { tokens = try file.readStrings(info.path, anyRank: true) }
        var rows: [Row] = []
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
            rows.append(Row(position: position, token: token, prompts: keep.count, summaries: result.summaries))
        }
        return rows
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
