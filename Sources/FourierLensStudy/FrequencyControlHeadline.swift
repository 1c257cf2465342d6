import FourierLens
import Foundation

/// The study page's answer to "which periods survive the frequency control", from the
/// `frequency_control` of each task's summary (spectrum, or compare's two sides).
extension AnalysisSummary {
    var frequencyControlHeadline: String? {
        var parts: [String] = []
        for task in tasks {
            let sides: [(String, SpectrumReport.Summary?)]
            if analysis.kind == .compare {
                let summary = outputs(task).summary(CompareReport.Summary.self)
                sides = [(task.dump ?? "A", summary?.a), (task.labels["against"] ?? "B", summary?.b)]
            } else {
                sides = [(Self.label(task), outputs(task).summary(SpectrumReport.Summary.self))]
            }
            for (name, side) in sides {
                guard let control = side?.frequency_control else { continue }
                let surviving = control.surviving_periods.map { "T=\(formatted($0, digits: 3))" }
                let before = jsonNumber(control.key_energy_before) ?? 0
                let after = jsonNumber(control.key_energy_after) ?? 0
                let explained = before > 0 ? 1 - after / before : 0
                parts.append("\(surviving.isEmpty ? "none" : surviving.joined(separator: ", ")) in \(name) (key-period energy \(formatted(before, digits: 3)) → \(formatted(after, digits: 3)); frequency explains \(formatted(explained, digits: 2)) of it and \(formatted(control.variance_explained, digits: 2)) of all the energy at k ≥ 1)")
            }
        }
        guard !parts.isEmpty else { return nil }
        let shown = parts.count > 4 ? parts.prefix(4) + ["… (\(parts.count - 4) more in the table)"] : parts[...]
        return "Which key periods survive the frequency control (each column regressed on a spline of log corpus count, the residual against the same null): " + shown.joined(separator: "; ") + "."
    }
}
