/// The layer × position view of a lens run at every position: lens_positions.csv and, per site,
/// a heatmap of the exact number accuracy (lens_positions_SITE.svg).
public enum LensPositionReport {
    /// Writes the files and returns the page sections that show them.
    public static func write(_ rows: [LensPositions.Row], norm: NormMode, to output: OutputDirectory) throws -> [ReportPage.Section] {
        var table = CSVTable(header: ["position", "token", "prompts", "layer", "site", "acc_exact", "acc_pm10",
                                      "mean_answer_logprob", "mean_entropy", "mean_kl_to_final"])
        for row in rows {
            for s in row.summaries {
                table.append([.integer(row.position), .text(row.token), .integer(row.prompts), .integer(s.layer),
                              .text(s.site.rawValue), .optional(s.accuracyExact), .optional(s.accuracyWithin10),
                              .optional(s.meanLogprob), .number(s.meanEntropy), .optional(s.meanKL)])
            }
        }
        try output.write(table.render(), to: "lens_positions.csv")
        var sections: [ReportPage.Section] = []
        let sites = Array(Set(rows.flatMap { $0.summaries.map(\.site) })).sorted()
        for site in sites {
            let layers = Array(Set(rows.flatMap { $0.summaries.filter { $0.site == site }.map(\.layer) })).sorted()
            var values: [Float] = []
            for layer in layers {
                for row in rows {
                    let s = row.summaries.first { $0.site == site && $0.layer == layer }
                    values.append(s?.accuracyExact.map(Float.init) ?? .nan)
                }
            }
            let step = max(1, rows.count / 16)
            let heatmap = Heatmap(title: "Number accuracy per layer and position (\(site.rawValue), norm \(norm.rawValue))",
                                  values: Matrix(rows: layers.count, cols: rows.count, values: values),
                                  rowLabels: layers.map { "layer \($0)" },
                                  columnTicks: stride(from: 0, to: rows.count, by: step).map { ($0, "\(rows[$0].position) \(rows[$0].token)") },
                                  xLabel: "position (its most common token)", yLabel: "layer", colorbarLabel: "exact accuracy")
            try output.write(heatmap.svg(), to: "lens_positions_\(site.rawValue).svg")
            sections.append(.figure(id: "positions_\(site.rawValue)", svg: heatmap.svg(),
                                    caption: "Exact number accuracy of each layer's \(site.rawValue) at every position (prompts padded at a position are left out there)."))
        }
        return sections
    }
}
