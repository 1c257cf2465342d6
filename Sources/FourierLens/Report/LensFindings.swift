extension Findings {
    /// The lens in a few lines: per site and layer the number accuracy, the answer's mean rank
    /// and the periods that stand out (the readouts asked for).
    public static func lens(_ full: LensSummary) -> [String] {
        let result = full.askedOnly()
        let p = result.numberValues.count
        let rows = result.rows.map { s in
            [s.site.rawValue, String(s.layer), s.accuracyExact.map(format) ?? "–", s.accuracyWithin2.map(format) ?? "–",
             s.meanRank.map(format) ?? "–", s.meanKL.map(format) ?? "–",
             s.topFrequencies.map { SpectrumRun.periodLabel($0, p: p) }.joined(separator: " ")]
        }
        return ["lens over \(result.prompts) prompts, norm \(result.options.norm.rawValue):"]
            + table(["site", "layer", "exact", "±2", "answer rank", "KL", "top periods"], rows)
    }

    /// The filter in a few lines: what was removed, and per site and layer the accuracy and the
    /// band's share before and after.
    public static func filter(_ result: FilterResult) -> [String] {
        let rows = result.effects.map { e in
            [e.site.rawValue, String(e.layer), e.accuracyBefore.map(format) ?? "–", e.accuracyAfter.map(format) ?? "–",
             e.bandShareBefore.map(format) ?? "–", e.bandShareAfter.map(format) ?? "–", e.normKept.map(format) ?? "–"]
        }
        return ["filter removed \(result.filter.selection.describe(p: result.filter.p)), rank \(result.filter.rank) of d_model = \(result.filter.dModel):"]
            + table(["site", "layer", "accuracy before", "after", "band share before", "after", "norm kept"], rows)
    }
}
