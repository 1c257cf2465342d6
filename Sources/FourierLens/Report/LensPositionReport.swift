import Foundation

/// The layer × position view of a lens run at every position: lens_positions.csv and, per site,
/// a heatmap of the exact number accuracy (lens_positions_SITE.svg); and the chosen prompt's
/// prediction trajectory: lens_trajectory.csv and, per site, a layer × position grid of the top
/// token (lens_trajectory_SITE.svg).
public enum LensPositionReport {
    /// Writes the files and returns the page sections that show them.
    public static func write(_ run: LensPositions.Result, tokenStrings: [Int64: String], norm: NormMode,
                             to output: OutputDirectory) throws -> [ReportPage.Section] {
        let rows = run.rows
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
        try output.write(trajectoryCSV(run, tokenStrings: tokenStrings).render(), to: "lens_trajectory.csv")
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
            var heatmap = Heatmap(title: "Number accuracy per layer and position (\(site.rawValue), norm \(norm.rawValue))",
                                  values: Matrix(rows: layers.count, cols: rows.count, values: values),
                                  rowLabels: layers.map { "layer \($0)" },
                                  columnTicks: stride(from: 0, to: rows.count, by: step).map { ($0, "\(rows[$0].position) \(rows[$0].token)") },
                                  xLabel: "position (its most common token)", yLabel: "layer", colorbarLabel: "exact accuracy")
            heatmap.range = 0...1  // accuracies: a random model's 0.0175 stays dark, not bright yellow
            heatmap.columnNames = rows.map { "position \($0.position)\($0.token.isEmpty ? "" : " “\($0.token)”")" }
            try output.write(heatmap.svg(), to: "lens_positions_\(site.rawValue).svg")
            sections.append(.figure(id: "positions_\(site.rawValue)", svg: heatmap.svg(),
                                    caption: "Exact number accuracy of each layer's \(site.rawValue) at every position, on a fixed 0–1 colour scale (prompts padded at a position are left out there)."))
            let cells = run.trajectory.filter { $0.site == site }
            guard !cells.isEmpty else { continue }
            let grid = trajectoryGrid(cells, site: site, prompt: run.chosenPrompt, tokenStrings: tokenStrings)
            try output.write(grid, to: "lens_trajectory_\(site.rawValue).svg")
            sections.append(.figure(id: "trajectory_\(site.rawValue)", svg: grid,
                                    caption: "Prompt \(run.chosenPrompt) (--heatmap-prompt) read at each of its positions, layer by layer (\(site.rawValue), norm \(norm.rawValue)): each cell is the most probable token over the whole vocabulary, coloured by its probability; hover shows that probability exactly and the answer's rank and probability there. Padded positions are left out."))
        }
        return sections
    }

    /// The chosen prompt's trajectory, one row per position and readout.
    static func trajectoryCSV(_ run: LensPositions.Result, tokenStrings: [Int64: String]) -> CSVTable {
        var table = CSVTable(header: ["prompt", "layer", "site", "position", "input_token", "top_token_id", "top_token",
                                      "top_prob", "answer_rank", "answer_prob"])
        for cell in run.trajectory {
            table.append([.integer(run.chosenPrompt), .integer(cell.layer), .text(cell.site.rawValue), .integer(cell.position),
                          .text(cell.inputToken), .integer(Int(cell.topToken)), .text(tokenStrings[cell.topToken] ?? ""),
                          .number(cell.topProbability), cell.answerRank.map { .integer($0) } ?? .missing,
                          .optional(cell.answerProbability)])
        }
        return table
    }

    /// Layers (rows) × the prompt's positions (columns, headed by its input tokens): each cell the
    /// top token's text, coloured by its probability on a fixed 0…1 scale.
    static func trajectoryGrid(_ cells: [LensPositions.TrajectoryCell], site: Site, prompt: Int,
                               tokenStrings: [Int64: String]) -> String {
        let layers = Array(Set(cells.map(\.layer))).sorted()
        var positions: [(position: Int, token: String)] = []
        for cell in cells where !positions.contains(where: { $0.position == cell.position }) {
            positions.append((cell.position, cell.inputToken))
        }
        positions.sort { $0.position < $1.position }
        let at = Dictionary(cells.map { ("\($0.layer) \($0.position)", $0) }, uniquingKeysWith: { a, _ in a })
        var values: [Float] = [], text: [String] = [], titles: [String] = []
        for layer in layers {
            for (position, input) in positions {
                guard let cell = at["\(layer) \(position)"] else {
                    values.append(.nan); text.append(""); titles.append("layer \(layer), position \(position): no readout")
                    continue
                }
                let top = shownToken(cell.topToken, tokenStrings)
                values.append(Float(cell.topProbability))
                text.append(visible(tokenStrings[cell.topToken] ?? "#\(cell.topToken)"))
                let answer = cell.answerRank.map { rank in "answer rank \(rank), p \(cell.answerProbability.map(SVGText.short) ?? "–")" }
                    ?? "answer not in the vocabulary"
                titles.append("layer \(layer), position \(position) \(quoted(input)) → top \(top), \(answer); top p: \(SVGText.short(cell.topProbability))")
            }
        }
        let columnWidth = 64.0, rowHeight = 26.0
        var grid = Heatmap(title: "Prompt \(prompt): top token per layer and position (\(site.rawValue))",
                           values: Matrix(rows: layers.count, cols: positions.count, values: values),
                           rowLabels: layers.map { "layer \($0)" },
                           columnTicks: positions.indices.map {
                               ($0, TextExtent.fitted(visible(positions[$0].token.isEmpty ? "\(positions[$0].position)" : positions[$0].token),
                                                      width: columnWidth - 4, fontSize: 13))
                           },
                           xLabel: "the prompt's input tokens (positions \(positions.first?.position ?? 0)–\(positions.last?.position ?? 0))",
                           yLabel: "layer", colorbarLabel: "top token probability")
        grid.range = 0...1
        grid.cellText = text
        grid.cellTitles = titles
        grid.width = max(960, 220 + columnWidth * Double(positions.count))
        // Tall enough for the colour bar's ticks and label however few the layers.
        grid.height = max(300, 110 + rowHeight * Double(layers.count))
        return grid.svg()
    }

    static func shownToken(_ token: Int64, _ strings: [Int64: String]) -> String {
        strings[token].map(quoted) ?? "#\(token)"
    }

    static func quoted(_ text: String) -> String { "“\(text)”" }

    /// A token's text as a cell shows it: line breaks and tabs written out, a leading or
    /// trailing space as ␣ (so " the" and "the" differ at a glance).
    static func visible(_ text: String) -> String {
        var shown = text.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\r", with: "\\r")
        if shown.hasPrefix(" ") { shown = "␣" + String(shown.dropFirst()) }
        if shown.hasSuffix(" ") { shown = String(shown.dropLast()) + "␣" }
        return shown
    }
}
