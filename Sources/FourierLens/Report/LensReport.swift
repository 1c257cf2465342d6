import Foundation

/// Writes a lens run: lens_layers.csv, lens_topk.csv, lens_spectrum.csv, charts, summary.json, index.html.
public enum LensReport {
    /// The readout read only as the KL reference is left out: the report shows what was asked.
    /// `readToken`: whether the prompts read their own answer, which the reader must know before
    /// the numbers (the page's first paragraph; summary.json's `read_token_is_answer`).
    /// `partial`: a merge --partial's prompts, "START:END of N" (said first on the page).
    public static func write(_ full: LensSummary, tokenStrings: [Int64: String], to output: OutputDirectory,
                             extraSections: [ReportPage.Section] = [], readToken: ReadTokenCheck? = nil,
                             partial: String? = nil) throws {
        let notes = [partial.map(ShardMerge.partialNote), readToken?.sentence].compactMap { $0 }
        let result = full.askedOnly()
        let summaries = result.rows
        try output.write(layersCSV(result, summaries).render(), to: "lens_layers.csv")
        try output.write(topTokensCSV(result, tokenStrings: tokenStrings).render(), to: "lens_topk.csv")
        try output.write(spectrumCSV(result).render(), to: "lens_spectrum.csv")
        var figures: [ReportPage.Section] = []
        for site in Array(Set(result.readouts.map(\.site))).sorted() {
            let indices = result.readouts.indices.filter { result.readouts[$0].site == site }
            let accuracy = accuracyChart(site, indices, summaries)
            try output.write(accuracy, to: "lens_accuracy_\(site.rawValue).svg")
            figures.append(.figure(id: "accuracy_\(site.rawValue)", svg: accuracy,
                                   caption: "Number accuracy of each layer's \(site.rawValue) read through the unembedding (norm \(result.options.norm.rawValue)): the argmax over the number tokens equals the answer, is within ±2, within ±10. Error bars: 95% Wilson (binomial) intervals over the prompts counted."))
            let window = windowHeatmap(result, site, indices)
            try output.write(window, to: "lens_window_\(site.rawValue).svg")
            figures.append(.figure(id: "window_\(site.rawValue)", svg: window,
                                   caption: "Logits of the numbers around the answer of prompt \(result.options.heatmapPrompt), layer by layer (as the NeurIPS 2024 paper's Figure 1)."))
            let spectrum = spectrumHeatmap(result, site, indices)
            try output.write(spectrum, to: "lens_spectrum_\(site.rawValue).svg")
            figures.append(.figure(id: "spectrum_\(site.rawValue)", svg: spectrum,
                                   caption: "Mean magnitude of each frequency of the number logits (per prompt, centred, averaged over prompts), layer by layer: which periods each layer's \(site.rawValue) carries."))
        }
        try output.write(try encodeJSON(Summary(result, summaries, readToken: readToken, partial: partial)), to: "summary.json")
        // Timings differ from run to run by nature: kept out of summary.json and the page, so
        // the same input gives the same bytes in every other file (a merge equals one run).
        try output.write(try encodeJSON(LensTimings(sgemm_gflop: result.sgemmFlops / 1e9, sgemm_seconds: result.sgemmSeconds)), to: LensTimings.name)
        let rows = summaries.map { s in
            [s.site.rawValue, String(s.layer), s.accuracyExact.map(format) ?? "–", s.accuracyWithin2.map(format) ?? "–",
             s.accuracyWithin10.map(format) ?? "–", s.meanRank.map(format) ?? "–", s.meanLogprob.map(format) ?? "–",
             format(s.meanEntropy), s.meanKL.map(format) ?? "–",
             s.topFrequencies.map { SpectrumRun.periodLabel($0, p: result.numberValues.count) }.joined(separator: " ")]
        }
        let page = ReportPage(
            title: "FourierLens logit lens", subtitle: "norm \(result.options.norm.rawValue), \(result.prompts) prompts",
            sections: notes.map { .paragraph($0) } + [.keyValues(caption: "Key numbers", pairs: [
                ("prompts whose answer is not a number token (left out of the number accuracies)", String(result.answersNotNumbers)),
                ("top periods", "the frequencies of the number-logit spectra (mean magnitude) that stand out above their running median over k ± \(SpectralPeaks.window) by z ≥ \(format(SpectralPeaks.threshold)) (median and MAD of the residuals at k ≥ \(SpectralPeaks.firstFrequency(p: result.numberValues.count))), strongest first; the slow trend (periods longer than \(format(SpectralPeaks.trendPeriod)) numbers) is left out"),
            ]),
                       .table(caption: "Per layer and site", header: ["site", "layer", "exact", "±2", "±10", "answer rank", "answer log-prob", "entropy", "KL(final ‖ layer)", "top periods"], rows: rows),
                       chosenPromptTable(result, tokenStrings: tokenStrings)]
                + figures + extraSections
                + [.files([("lens_layers.csv", "one row per layer and site"), ("lens_topk.csv", "top-k tokens of prompt \(result.options.heatmapPrompt) per layer and site"),
                           ("lens_prompts.h5", "every prompt's readouts per layer and site: answer rank, log-prob, entropy, KL, predicted number, top-k tokens, number logits"),
                           ("lens_spectrum.csv", "number-logit spectra per layer and site"), ("summary.json", "the same for scripts"),
                           (LensTimings.name, "the run's sgemm work and time (apart, as it differs from run to run)")])])
        try output.write(page.html(), to: "index.html")
    }

    static func layersCSV(_ result: LensSummary, _ summaries: [LensSummary.Row]) -> CSVTable {
        let slots = 3  // SpectralPeaks keeps the strongest three
        var table = CSVTable(header: ["layer", "site", "acc_exact", "acc_pm2", "acc_pm10", "mean_answer_rank", "mean_answer_logprob",
                                      "mean_entropy", "mean_kl_to_final"]
                             + (1...slots).map { "top_period_\($0)" } + (1...slots).map { "top_period_z_\($0)" })
        for s in summaries {
            let periods = s.topFrequencies.map { Double(result.numberValues.count) / Double($0) }
            table.append([.integer(s.layer), .text(s.site.rawValue), .optional(s.accuracyExact), .optional(s.accuracyWithin2),
                          .optional(s.accuracyWithin10), .optional(s.meanRank), .optional(s.meanLogprob), .number(s.meanEntropy),
                          .optional(s.meanKL)]
                         + (0..<slots).map { $0 < periods.count ? .number(periods[$0]) : .missing }
                         + (0..<slots).map { $0 < s.topFrequencyZ.count ? .number(s.topFrequencyZ[$0]) : .missing })
        }
        return table
    }

    /// The chosen prompt read layer by layer, as researchers read a lens: per site and layer the
    /// answer's rank and probability and the top tokens with their text and probability.
    static func chosenPromptTable(_ result: LensSummary, tokenStrings: [Int64: String]) -> ReportPage.Section {
        let shown = 5
        let rows = result.readouts.indices.compactMap { i -> [String]? in
            guard let readout = result.chosenReadouts[i] else { return nil }
            let tops = readout.top.prefix(shown).map { top -> String in
                let text = tokenStrings[top.token].map { "“\($0)”" } ?? "#\(top.token)"
                return "\(text) \(format(exp(Double(top.logit) - readout.logSumExp)))"
            }
            return [result.readouts[i].site.rawValue, String(result.readouts[i].layer), readout.rank.map(String.init) ?? "–",
                    readout.logprob.map { format(exp($0)) } ?? "–", readout.predictedValue.map(String.init) ?? "–"] + tops
                + Array(repeating: "", count: shown - tops.count)
        }
        return .table(caption: "Prompt \(result.options.heatmapPrompt) (answer \(result.chosenAnswer.map(String.init) ?? "not a number token")) layer by layer: the answer's rank and probability over the vocabulary, the argmax number, and the top \(shown) tokens with their probabilities (--heatmap-prompt picks the prompt; every prompt's are in lens_prompts.h5)",
                      header: ["site", "layer", "answer rank", "answer p", "argmax number"] + (1...shown).map { "top \($0)" }, rows: rows)
    }

    /// The chosen prompt's top tokens per layer and site (every prompt's are in lens_prompts.h5).
    static func topTokensCSV(_ result: LensSummary, tokenStrings: [Int64: String]) -> CSVTable {
        var table = CSVTable(header: ["prompt", "layer", "site", "rank", "token_id", "token", "logit"])
        for (i, readout) in result.readouts.enumerated() {
            for (rank, top) in (result.chosenReadouts[i]?.top ?? []).enumerated() {
                table.append([.integer(result.options.heatmapPrompt), .integer(readout.layer), .text(readout.site.rawValue), .integer(rank + 1),
                              .integer(Int(top.token)), .text(tokenStrings[top.token] ?? ""), .number(Double(top.logit))])
            }
        }
        return table
    }

    static func spectrumCSV(_ result: LensSummary) -> CSVTable {
        var table = CSVTable(header: ["layer", "site", "k", "period", "magnitude", "magnitude_of_mean"])
        let p = result.numberValues.count
        for (i, readout) in result.readouts.enumerated() {
            let s = result.spectra[i]
            for k in s.meanMagnitude.indices {
                table.append([.integer(readout.layer), .text(readout.site.rawValue), .integer(k),
                              k == 0 ? .missing : .number(Double(p) / Double(k)), .number(s.meanMagnitude[k]), .number(s.magnitudeOfMean[k])])
            }
        }
        return table
    }

    static func accuracyChart(_ site: Site, _ indices: [Int], _ summaries: [LensSummary.Row]) -> String {
        let layers = indices.map { Double(summaries[$0].layer) }
        var chart = LineChart(title: "Number accuracy per layer (\(site.rawValue))", xLabel: "layer", yLabel: "accuracy", series: [
            .init(name: "exact", x: layers, y: indices.map { summaries[$0].accuracyExact ?? .nan }),
            .init(name: "within ±2", x: layers, y: indices.map { summaries[$0].accuracyWithin2 ?? .nan }),
            .init(name: "within ±10", x: layers, y: indices.map { summaries[$0].accuracyWithin10 ?? .nan }),
        ])
        // Each accuracy's 95% Wilson interval over the prompts it counts, as error bars.
        for (s, share) in [\LensSummary.Row.accuracyExact, \.accuracyWithin2, \.accuracyWithin10].enumerated() {
            chart.series[s].errors = indices.map { i in summaries[i][keyPath: share].flatMap { WilsonInterval.interval(share: $0, n: summaries[i].accuracyCount) } }
            chart.series[s].notes = indices.map { i in
                let interval = summaries[i][keyPath: share].flatMap { WilsonInterval.interval(share: $0, n: summaries[i].accuracyCount) }
                return "95% Wilson interval \(interval.map { "\(format($0.lowerBound))–\(format($0.upperBound))" } ?? "–") over \(summaries[i].accuracyCount) prompts"
            }
        }
        chart.yRange = 0...1
        return chart.svg()
    }

    static func windowHeatmap(_ result: LensSummary, _ site: Site, _ indices: [Int]) -> String {
        let radius = result.options.windowRadius
        let prompt = result.options.heatmapPrompt
        let answer = result.chosenAnswer
        let position = Dictionary(uniqueKeysWithValues: result.numberValues.enumerated().map { ($1, $0) })
        var values: [Float] = []
        for i in indices {
            for offset in -radius...radius {
                if let answer, let logits = result.chosenLogits[i], case let (number, false) = answer.addingReportingOverflow(Int64(offset)),
                   let column = position[number] {
                    values.append(logits[column])
                } else {
                    values.append(.nan)
                }
            }
        }
        var heatmap = Heatmap(title: "Number logits around the answer\(answer.map { " \($0)" } ?? "") of prompt \(prompt) (\(site.rawValue))",
                              values: Matrix(rows: indices.count, cols: 2 * radius + 1, values: values),
                              rowLabels: indices.map { "layer \(result.readouts[$0].layer)" },
                              columnTicks: stride(from: 0, through: 2 * radius, by: max(1, radius / 2)).map { ($0, $0 == radius ? "answer" : "\($0 - radius > 0 ? "+" : "")\($0 - radius)") },
                              xLabel: "number − answer", yLabel: "layer", colorbarLabel: "logit")
        heatmap.missingName = "no number"  // offsets past the first or last number
        heatmap.columnNames = (-radius...radius).map { offset in
            let relative = offset == 0 ? "the answer" : "answer \(offset > 0 ? "+" : "−") \(abs(offset))"
            guard let answer, case let (number, false) = answer.addingReportingOverflow(Int64(offset)) else { return relative }
            return "number \(number) (\(relative))"
        }
        return heatmap.svg()
    }

    static func spectrumHeatmap(_ result: LensSummary, _ site: Site, _ indices: [Int]) -> String {
        let p = result.numberValues.count
        let bins = max(1, p / 2)
        var values: [Float] = []
        for i in indices { values += result.spectra[i].meanMagnitude.dropFirst().prefix(bins).map { Float($0) } }
        let ticks = [2.0, 2.5, 5, 10, 25].compactMap { period -> (Int, String)? in
            guard let k = SpectrumRun.frequency(ofPeriod: period, p: p) else { return nil }
            return (k - 1, SpectrumRun.periodLabel(k, p: p))
        }
        var heatmap = Heatmap(title: "Number-logit spectra per layer (\(site.rawValue))",
                              values: Matrix(rows: indices.count, cols: values.count / max(indices.count, 1), values: values),
                              rowLabels: indices.map { "layer \(result.readouts[$0].layer)" }, columnTicks: ticks,
                              xLabel: "frequency k = 1…\(bins) (labelled by period)", yLabel: "layer", colorbarLabel: "mean |x̂[k]|")
        // The slow trend's k = 1, 2, 3 hold several times the energy of any period: on a log scale
        // the periods still show.
        heatmap.colorScale = .log
        heatmap.columnNames = (1...max(bins, 1)).map { "k \($0) (\(SpectrumRun.periodLabel($0, p: p)))" }
        return heatmap.svg()
    }

    /// timings.json: the sgemm work (GFLOP) and its wall time, which a merge adds up over shards.
    public struct Summary: Codable {
        public struct Row: Codable {
            public let layer: Int, site: String, acc_exact: Double?, acc_pm2: Double?, acc_pm10: Double?
            public let mean_answer_rank: Double?, mean_answer_logprob: Double?, mean_entropy: Double, mean_kl_to_final: Double?
            public let top_periods: [Double], top_period_z: [Double]
        }
        public let tool: String, command: String, options: LensOptions, prompts: Int, numbers: Int, answers_not_numbers: Int
        public let top_periods_rule: String
        public let rows: [Row]
        public let read_token_is_answer: ReadTokenCheck?
        /// A merge --partial: the prompts it holds, "START:END of TOTAL" (absent otherwise).
        public let partial_prompts: String?

        init(_ result: LensSummary, _ summaries: [LensSummary.Row], readToken: ReadTokenCheck?, partial: String? = nil) {
            read_token_is_answer = readToken
            partial_prompts = partial
            tool = BuildIdentity.tool
            command = "lens"
            options = result.options
            prompts = result.prompts
            numbers = result.numberValues.count
            answers_not_numbers = result.answersNotNumbers
            top_periods_rule = "k >= \(SpectralPeaks.firstFrequency(p: numbers)) (periods up to \(SpectralPeaks.trendPeriod)); residual r = magnitude - running median over k +- \(SpectralPeaks.window); z = (r - median(r)) / (1.4826 MAD(r)) >= \(SpectralPeaks.threshold); strongest 3"
            rows = summaries.map { s in
                Row(layer: s.layer, site: s.site.rawValue, acc_exact: s.accuracyExact, acc_pm2: s.accuracyWithin2,
                    acc_pm10: s.accuracyWithin10, mean_answer_rank: s.meanRank, mean_answer_logprob: s.meanLogprob,
                    mean_entropy: s.meanEntropy, mean_kl_to_final: s.meanKL,
                    top_periods: s.topFrequencies.map { Double(result.numberValues.count) / Double($0) }, top_period_z: s.topFrequencyZ)
            }
        }
    }
}
