import Foundation

/// Writes a filter run: filtered.h5 (the filtered activations in the schema's naming, to patch
/// back into the model), filter_effect.csv, summary.json and index.html.
public enum FilterReport {
    /// The report of a filter run whose filtered.h5 and filter_prompts.h5 are already staged (FilterStream).
    /// `partial`: a merge --partial's prompts, "START:END of TOTAL", said on the page and in summary.json.
    public static func write(_ result: FilterResult, to output: OutputDirectory, partial: String? = nil) throws {
        try writeReport(result, to: output, partial: partial)
    }

    static func writeReport(_ result: FilterResult, to output: OutputDirectory, partial: String? = nil) throws {
        var table = CSVTable(header: ["layer", "site", "removed", "tau", "rank", "d_model", "norm_kept", "band_share_before",
                                      "band_share_after", "logit_energy_ratio", "acc_before", "acc_after", "acc_pm2_before",
                                      "acc_pm2_after", "mean_abs_logit_change"])
        for e in result.effects {
            table.append([.integer(e.layer), .text(e.site.rawValue), .text(result.filter.selection.name), result.filter.selection.tau.map { .integer($0) } ?? .missing,
                          .integer(result.filter.rank), .integer(result.filter.dModel), .optional(e.normKept),
                          .optional(e.bandShareBefore), .optional(e.bandShareAfter), .optional(e.logitEnergyRatio),
                          .optional(e.accuracyBefore), .optional(e.accuracyAfter),
                          .optional(e.accuracyWithin2Before), .optional(e.accuracyWithin2After), .number(e.meanAbsoluteLogitChange)])
        }
        try output.write(table.render(), to: "filter_effect.csv")
        // One pair of lines per site (before solid, after dashed, in the site's colour).
        let sites = Array(Set(result.effects.map(\.site))).sorted()
        let series = sites.enumerated().flatMap { colour, site -> [LineChart.Series] in
            let effects = result.effects.filter { $0.site == site }.sorted { $0.layer < $1.layer }
            let layers = effects.map { Double($0.layer) }
            return [.init(name: "\(site.rawValue) before", x: layers, y: effects.map { $0.accuracyBefore ?? .nan }, color: colour),
                    .init(name: "\(site.rawValue) after", x: layers, y: effects.map { $0.accuracyAfter ?? .nan }, style: .dashed, color: colour)]
        }
        let chart = LineChart(title: "Direct effect of removing \(result.filter.selection.describe(p: result.filter.p))",
                              xLabel: "layer", yLabel: "number accuracy of W_U x", series: series)
        let chartSVG = chart.svg()
        try output.write(chartSVG, to: "filter_effect.svg")
        try output.write(try encodeJSON(Summary(result, partial: partial)), to: "summary.json")
        let notes: [ReportPage.Section] = partial.map { [.paragraph(ShardMerge.partialNote($0))] } ?? []
        let sections: [ReportPage.Section] = [
            .keyValues(caption: "Key numbers", pairs: [
                ("removed subspace", "rank \(result.filter.rank) of d_model = \(result.filter.dModel)"),
                ("Fourier basis of", result.filter.foldFinalNorm ? "W_U read through the final norm (diag(w)·W_U, centred for a LayerNorm)" : "W_U as stored"),
                ("patched back", result.filter.joint
                    ? "together: \(readoutList(result)) in one forward pass (--joint)"
                    : "each readout on its own (filter --joint patches them together)"),
                ("prompts whose answer is not a number token (left out of the accuracies)", String(result.answersNotNumbers)),
            ]),
            .figure(id: "effect", svg: chartSVG, caption: "Number accuracy of each layer's direct readout W_U x before and after projecting x onto the null space of the removed band (Zhou et al. 2024, Def. A.6)."),
            .table(caption: "Per layer. Band shares are of the number logits' energy at k ≥ 1 before filtering (rows centred, summed over prompts), before and after; norm kept is ‖x′‖/‖x‖ over the prompts. The logit energy ratio is the number logits' energy at k ≥ 1 after over before: removing a subspace of x can remove logits that cancelled others, so it can exceed 1 (W_U is not orthogonal).",
                   header: ["site", "layer", "norm kept", "band share before", "after", "logit energy after / before (can exceed 1)", "accuracy before", "after"],
                   rows: result.effects.map { [$0.site.rawValue, String($0.layer), $0.normKept.map(format) ?? "–",
                                               $0.bandShareBefore.map(format) ?? "–", $0.bandShareAfter.map(format) ?? "–",
                                               $0.logitEnergyRatio.map(format) ?? "–",
                                               $0.accuracyBefore.map(format) ?? "–", $0.accuracyAfter.map(format) ?? "–"] }),
            .files([("filtered.h5", "the filtered activations (schema fourierlens/1 names) with the prompts and number tokens"),
                    ("filter_prompts.h5", "each prompt's statistics per layer and site, summed into the table above"),
                    ("filter_effect.csv", "one row per layer"), ("summary.json", "the same for scripts")]),
        ]
        let page = ReportPage(
            title: "FourierLens filter", subtitle: "removed \(result.filter.selection.describe(p: result.filter.p)), a subspace of rank \(result.filter.rank) of d_model = \(result.filter.dModel)",
            sections: notes + sections)
        try output.write(page.html(), to: "index.html")
    }

    /// "attn_out and mlp_out at layers 0–11": the sites and layers a filter covers.
    static func readoutList(_ result: FilterResult) -> String {
        let sites = Array(Set(result.readouts.map(\.site))).sorted().map(\.rawValue)
        let layers = Array(Set(result.readouts.map(\.layer))).sorted()
        let layerText = "layer\(layers.count == 1 ? "" : "s") \(numberRuns(layers))"
        return "\(sites.joined(separator: " and ")) at \(layerText)"
    }

    struct Summary: Encodable {
        let tool: String, command: String, removed: String, tau: Int?, removed_frequencies: [Int], rank: Int, d_model: Int
        let fold_final_norm: Bool
        let joint: Bool
        let answers_not_numbers: Int, prompts: Int
        /// A merge --partial: the prompts it holds, "START:END of TOTAL" (absent otherwise).
        let partial_prompts: String?
        init(_ result: FilterResult, partial: String? = nil) {
            partial_prompts = partial
            tool = BuildIdentity.tool
            command = "filter"
            removed = result.filter.selection.name
            tau = result.filter.selection.tau
            removed_frequencies = result.filter.removedFrequencies
            rank = result.filter.rank
            d_model = result.filter.dModel
            fold_final_norm = result.filter.foldFinalNorm
            joint = result.filter.joint
            answers_not_numbers = result.answersNotNumbers
            prompts = result.prompts
        }
    }
}
