import FourierLens
import Foundation

/// One sentence per analysis that answers from its tasks' numbers, at the top of the study page.
extension AnalysisSummary {
    var headline: String? {
        guard let control = frequencyControlHeadline else { return kindHeadline }
        return kindHeadline.map { $0 + " " + control } ?? control
    }

    private var kindHeadline: String? {
        switch analysis.kind {
        case .compare: return compareHeadline
        case .spectrum: return spectrumHeadline
        case .probe: return probeHeadline
        case .lens: return lensHeadline
        case .filter: return filterHeadline
        case .boolean: return booleanHeadline
        case .patch: return patchHeadline
        }
    }

    private func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

    private var compareHeadline: String? {
        var a: [Double] = [], b: [Double] = [], outliersA = 0, outliersB = 0
        for task in tasks {
            guard let s = outputs(task).summary(CompareReport.Summary.self),
                  let ka = jsonNumber(s.a.key_energy_fraction), let kb = jsonNumber(s.b.key_energy_fraction) else { continue }
            a.append(ka); b.append(kb)
            if !s.a.outliers.isEmpty { outliersA += 1 }
            if !s.b.outliers.isEmpty { outliersB += 1 }
        }
        guard !a.isEmpty, let first = tasks.first else { return nil }
        let against = first.labels["against"] ?? "B"
        let over = a.count == 1 ? "" : " (mean over \(a.count) inputs)"
        let ratio = mean(b) > 0 ? String(format: " (×%.2f)", mean(a) / mean(b)) : ""
        return "\(analysis.name): the key periods hold \(formatted(mean(a), digits: 3)) of the energy at k ≥ 1 in \(first.dump ?? "A") against \(formatted(mean(b), digits: 3)) in \(against)\(ratio)\(over); frequencies stand out of the null in \(outliersA) of \(a.count) inputs of \(first.dump ?? "A") and in \(outliersB) of \(a.count) of \(against)."
    }

    private var spectrumHeadline: String? {
        let rows = tasks.compactMap { task -> (StudyTask, Double, [SpectrumReport.Summary.Outlier])? in
            guard let s = outputs(task).summary(SpectrumReport.Summary.self), let key = jsonNumber(s.key_energy_fraction) else { return nil }
            return (task, key, s.outliers)
        }
        guard !rows.isEmpty else { return nil }
        if rows.count == 1 {
            let (task, key, outliers) = rows[0]
            return "\(analysis.name): in \(Self.label(task)) the key periods hold \(formatted(key, digits: 3)) of the energy at k ≥ 1; \(outliers.count) periodic frequencies stand out of the null (strongest \(strongestPeriods(outliers, limit: 3)))."
        }
        let best = rows.max { $0.1 < $1.1 }!
        return "\(analysis.name): over \(rows.count) inputs the key periods hold \(formatted(rows.map(\.1).min()!, digits: 3)) to \(formatted(rows.map(\.1).max()!, digits: 3)) of the energy at k ≥ 1 (most in \(Self.label(best.0))); frequencies stand out in \(rows.filter { !$0.2.isEmpty }.count) of them."
    }

    private var probeHeadline: String? {
        var best: [String: (score: Double, metric: String, source: String, chance: Double?)] = [:]
        var order: [String] = []
        for task in tasks {
            for source in outputs(task).summary(ProbeReport.Summary.self)?.sources ?? [] {
                let layer = source.layer.map { "layer \($0)" } ?? StudyPlanner.shortName(source.dataset ?? "")
                for score in source.scores {
                    let probe = score.probe
                    guard !probe.hasPrefix("helix_baseline"), !probe.hasPrefix("helix_ceiling"), let value = jsonNumber(score.mean) else { continue }
                    if best[probe] == nil { order.append(probe) }
                    if value > best[probe]?.score ?? -.infinity {
                        best[probe] = (value, score.metric == "r2" ? "R²" : "accuracy", layer, jsonNumber(score.chance))
                    }
                }
            }
        }
        guard !order.isEmpty else { return nil }
        // A best at or below chance is no finding: "fourier: none above chance (best R² −0.00594, layer 3)".
        let parts = order.map { probe -> String in
            let b = best[probe]!
            if let chance = b.chance, !(b.score > chance) {
                return "\(probe): none above chance (best \(b.metric) \(formatted(b.score, digits: 3)), \(b.source))"
            }
            return "\(probe) \(b.metric) \(formatted(b.score, digits: 3)) (\(b.source))"
        }
        return "\(analysis.name): the best held-out score of each probe: \(parts.joined(separator: ", "))."
    }

    private var lensHeadline: String? {
        var parts: [String] = []
        for task in tasks {
            let rows = outputs(task).summary(LensReport.Summary.self)?.rows ?? []
            let sites = rows.map(\.site).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for site in sites {
                let own = rows.filter { $0.site == site }
                guard let first = own.first, let last = own.last else { continue }
                if own.count == 1 {
                    parts.append("\(site) \(formatted(first.acc_exact, digits: 3)) at layer \(formatted(first.layer))")
                } else {
                    parts.append("\(site) from \(formatted(first.acc_exact, digits: 3)) at layer \(formatted(first.layer)) to \(formatted(last.acc_exact, digits: 3)) at layer \(formatted(last.layer))")
                }
            }
        }
        guard !parts.isEmpty else { return nil }
        let note = tasks.lazy.compactMap { outputs($0).summary(LensReport.Summary.self)?.read_token_is_answer?.sentence }.first.map { " " + $0 } ?? ""
        let verb = parts.contains(where: { $0.contains(" from ") }) ? "goes" : "is"
        return "\(analysis.name): exact-answer accuracy through the unembedding \(verb) \(parts.joined(separator: "; ")).\(note)"
    }

    private var filterHeadline: String? {
        var parts: [String] = []
        let dumps = Set(tasks.compactMap(\.dump)).count
        for task in tasks {
            for row in outputs(task).csv("filter_effect.csv") {
                guard let before = row["acc_before"].flatMap(Double.init), let after = row["acc_after"].flatMap(Double.init) else { continue }
                parts.append("\(Self.filterLabel(row, task: task, dump: dumps > 1, layer: true)): \(formatted(before, digits: 3)) → \(formatted(after, digits: 3))")
            }
        }
        guard !parts.isEmpty else { return nil }
        let shown = parts.prefix(6).joined(separator: "; ") + (parts.count > 6 ? "; … (the table below)" : "")
        return "\(analysis.name): accuracy through the unembedding before → after removing the band: \(shown)."
    }

    /// The unpatched accuracy, then per band removed each site set's patched accuracy (loss),
    /// then where the answer fell furthest.
    private var patchHeadline: String? {
        var bands: [String] = [], bySite: [String: [String]] = [:], clean: [String: String]?, worst: (Double, String)?
        var chance: Double?
        for task in tasks {
            if chance == nil { chance = jsonNumber(outputs(task).summary(PatchSummary.self)?.chance) }
            for (unpatched, row) in patchRows(task) {
                clean = clean ?? unpatched
                let band = Self.removal(row)
                if bySite[band] == nil { bands.append(band) }
                let layers = row["layers"].map { $0.contains("-") || $0.contains(",") ? " (layers \($0))" : "" } ?? ""
                bySite[band, default: []].append("\(row["sites"] ?? "")\(layers) \(formatted(row["acc_exact"], digits: 3)) (loss \(formatted(row["mean_loss"], digits: 3)))")
                if let accuracy = row["acc_exact"].flatMap(Double.init), accuracy < worst?.0 ?? .infinity {
                    worst = (accuracy, "removing \(band) from \(row["sites"] ?? "")")
                }
            }
        }
        guard let clean, !bands.isEmpty else { return nil }
        let chanceText = chance.map { "; chance \(formatted($0, digits: 3))" } ?? ""
        var text = "\(analysis.name): the unpatched model's number accuracy is \(formatted(clean["acc_exact"], digits: 3)) (loss \(formatted(clean["mean_loss"], digits: 3))\(chanceText)). "
        text += "With the filtered activations patched back, " + bands.map { "removing \($0): \(bySite[$0]!.joined(separator: ", "))" }.joined(separator: "; ") + "."
        if let worst { text += " The accuracy falls furthest, to \(formatted(worst.0, digits: 3)), when \(worst.1)." }
        return text
    }

    private var booleanHeadline: String? {
        var parts: [String] = []
        for task in tasks {
            for row in outputs(task).csv("functions.csv") where ["decision", "target"].contains(row["role"] ?? "") {
                parts.append("\(row["function"] ?? "") (\(row["role"] ?? "")) \(formatted(row["average_sensitivity"], digits: 3))")
            }
        }
        guard !parts.isEmpty else { return nil }
        return "\(analysis.name): average sensitivity of \(parts.joined(separator: "; "))."
    }
}
