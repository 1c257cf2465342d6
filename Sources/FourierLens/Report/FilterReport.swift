import Foundation

/// Writes a filter run: filtered.h5 (the filtered activations in the schema's naming, to patch
/// back into the model), filter_effect.csv, summary.json and index.html.
public enum FilterReport {
    public static func write(_ result: FilterResult, source: HDF5File, dump: Dump, to output: OutputDirectory) throws {
        let writer = try HDF5Writer(creating: output.stagedPath("filtered.h5"))
        try writer.setAttribute("schema", string: Dump.schemaName)
        try writer.setAttribute("source", string: source.path)
        try writer.setAttribute("filter_removed", string: result.filter.removed == .low ? "low (1 ≤ k < tau)" : "high (k > tau)")
        try writer.setAttribute("filter_tau", integer: Int64(result.filter.tau))
        if let d = dump.rootAttributes["d_model"]?.number { try writer.setAttribute("d_model", integer: Int64(d)) }
        for (readout, matrix) in zip(result.readouts, result.filtered) {
            try writer.write(matrix, at: "/acts/\(readout.site.hookName(layer: readout.layer))", storage: .compressed)
        }
        for info in [dump.tokenIDs, dump.tokenValues, dump.promptAnswers, dump.promptValues, dump.promptPositions].compactMap({ $0 }) {
            try writer.write(integers: try source.readIntegers(info.path), at: info.path)
            for (name, value) in info.attributes { if let text = value.string { try writer.setAttribute(name, string: text, on: info.path) } }
        }
        for info in [dump.tokenStrings, dump.promptText].compactMap({ $0 }) {
            try writer.write(strings: try source.readStrings(info.path), at: info.path)
        }
        try writer.commit()

        var table = CSVTable(header: ["layer", "site", "removed", "tau", "band_share_before", "band_share_after", "acc_before",
                                      "acc_after", "acc_pm2_before", "acc_pm2_after", "mean_abs_logit_change"])
        for e in result.effects {
            table.append([.integer(e.layer), .text(e.site.rawValue), .text(result.filter.removed.rawValue), .integer(result.filter.tau),
                          .number(e.bandShareBefore), .number(e.bandShareAfter), .optional(e.accuracyBefore), .optional(e.accuracyAfter),
                          .optional(e.accuracyWithin2Before), .optional(e.accuracyWithin2After), .number(e.meanAbsoluteLogitChange)])
        }
        try output.write(table.render(), to: "filter_effect.csv")
        let layers = result.effects.map { Double($0.layer) }
        let chart = LineChart(title: "Direct effect of removing the \(result.filter.removed.rawValue) frequencies (τ = \(result.filter.tau))",
                              xLabel: "layer", yLabel: "number accuracy of W_U x", series: [
                                  .init(name: "before", x: layers, y: result.effects.map { $0.accuracyBefore ?? .nan }),
                                  .init(name: "after", x: layers, y: result.effects.map { $0.accuracyAfter ?? .nan }, style: .dashed)])
        let chartSVG = chart.svg()
        try output.write(chartSVG, to: "filter_effect.svg")
        try output.write(try encodeJSON(Summary(result)), to: "summary.json")
        let page = ReportPage(
            title: "FourierLens filter", subtitle: "removed \(result.filter.removed.rawValue) frequencies, τ = \(result.filter.tau), rank \(result.filter.rank)",
            sections: [
                .figure(id: "effect", svg: chartSVG, caption: "Number accuracy of each layer's direct readout W_U x before and after projecting x onto the null space of the removed band (Zhou et al. 2024, Def. A.6)."),
                .table(caption: "Per layer", header: ["site", "layer", "band share before", "after", "accuracy before", "after"],
                       rows: result.effects.map { [$0.site.rawValue, String($0.layer), format($0.bandShareBefore), format($0.bandShareAfter),
                                                   $0.accuracyBefore.map(format) ?? "–", $0.accuracyAfter.map(format) ?? "–"] }),
                .files([("filtered.h5", "the filtered activations (schema fourierlens/1 names) with the prompts and number tokens"),
                        ("filter_effect.csv", "one row per layer"), ("summary.json", "the same for scripts")]),
            ])
        try output.write(page.html(), to: "index.html")
    }

    struct Summary: Encodable {
        let tool: String, command: String, removed: String, tau: Int, removed_frequencies: [Int], rank: Int
        init(_ result: FilterResult) {
            tool = "fourierlens \(SpectrumReport.version)"
            command = "filter"
            removed = result.filter.removed.rawValue
            tau = result.filter.tau
            removed_frequencies = result.filter.removedFrequencies
            rank = result.filter.rank
        }
    }
}
