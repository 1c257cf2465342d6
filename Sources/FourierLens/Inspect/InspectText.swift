import Foundation

extension InspectReport {
    /// The human-readable form printed by `fourierlens inspect`.
    public var text: String {
        var lines: [String] = ["FourierLens inspect: \(file)"]
        if !attributes.isEmpty {
            lines.append("  attributes: " + attributes.keys.sorted().map { "\($0) = \(attributes[$0]!)" }.joined(separator: ", "))
        }
        lines.append("")
        lines.append("Tree")
        for entry in entries where entry.path != "/" {
            let depth = entry.path.split(separator: "/").count - 1
            let name = String(entry.path.split(separator: "/").last ?? "")
            let indent = String(repeating: "  ", count: depth + 1)
            switch entry.kind {
            case "group":
                lines.append("\(indent)\(name)/" + attributeSuffix(entry.attributes))
            case "unreadable":
                lines.append("\(indent)\(name)  (unreadable: \(entry.note ?? ""))")
            case "link":
                lines.append("\(indent)\(name)  (link: \(entry.note ?? ""))")
            default:
                lines.append("\(indent)\(name)  " + datasetSummary(entry) + attributeSuffix(entry.attributes)
                             + (entry.note.map { "  (\($0))" } ?? ""))
            }
        }
        lines.append("")
        lines.append("Roles")
        if roles.isEmpty && activations.isEmpty { lines.append("  none recognised (see docs/SCHEMA.md)") }
        for role in roles {
            lines.append("  \(role.role.padding(toLength: 22, withPad: " ", startingAt: 0)) \(role.path) \(shapeText(role.shape))"
                         + (role.detail.map { "  (\($0))" } ?? ""))
        }
        for group in activations {
            lines.append("  activations \(group.site.padding(toLength: 10, withPad: " ", startingAt: 0)) layers \(layerRange(group.layers)), \(group.form), \(shapeText(group.shape)) per layer")
        }
        if !unrecognised.isEmpty {
            lines.append("  not in the schema (kept, unused): " + unrecognised.joined(separator: ", "))
        }
        lines.append("")
        lines.append("Analyses")
        for analysis in analyses {
            let status = analysis.ready ? "ready  " : "missing"
            lines.append("  \(status) \(analysis.analysis.padding(toLength: 30, withPad: " ", startingAt: 0)) \(analysis.purpose)"
                         + (analysis.ready ? "" : "; needs " + analysis.missing.joined(separator: ", ")))
            if let note = analysis.note { lines.append("          \(note)") }
        }
        lines.append("")
        lines.append("Values")
        let scanned = entries.filter { $0.nonFinite != nil }
        if scanned.isEmpty {
            lines.append("  no floating-point datasets scanned")
        } else if nonFiniteDatasets.isEmpty {
            lines.append("  all \(scanned.count) floating-point datasets are finite (no NaN, no Inf)")
        } else {
            for entry in scanned {
                guard let scan = entry.nonFinite, scan.nan + scan.inf > 0 else { continue }
                let at = scan.first.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" } ?? "?"
                lines.append("  \(entry.path): \(scan.nan) NaN, \(scan.inf) Inf; first at \(at)")
            }
        }
        if !warnings.isEmpty {
            lines.append("")
            lines.append("Warnings")
            lines += warnings.map { "  \($0)" }
        }
        if !problems.isEmpty {
            lines.append("")
            lines.append("Problems")
            lines += problems.map { "  \($0)" }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func datasetSummary(_ entry: Entry) -> String {
        var parts = ["\(shapeText(entry.shape ?? [])) \(entry.dtype ?? "?")"]
        if entry.byteOrder == ByteOrder.big.rawValue { parts[0] += " big-endian" }
        if let chunks = entry.chunks {
            parts.append("chunked \(shapeText(chunks))")
        } else if let layout = entry.layout {
            parts.append(layout)
        }
        if let filters = entry.filters, !filters.isEmpty { parts.append(filters.joined(separator: "+")) }
        if let stored = entry.storageBytes, let logical = entry.logicalBytes {
            parts.append(logical > 0 && stored != logical ? "\(byteText(stored)) stored of \(byteText(logical))" : byteText(stored))
        }
        return parts.joined(separator: ", ")
    }

    private func attributeSuffix(_ attributes: [String: AttributeValue]) -> String {
        attributes.isEmpty ? "" : "  {" + attributes.keys.sorted().map { "\($0): \(attributes[$0]!)" }.joined(separator: ", ") + "}"
    }
}

func shapeText(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: " × ") + "]"
}

func layerRange(_ layers: [Int]) -> String {
    guard let first = layers.first, let last = layers.last else { return "none" }
    return layers == Array(first...last) ? (first == last ? "\(first)" : "\(first)–\(last)") : layers.map(String.init).joined(separator: ",")
}

func byteText(_ bytes: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
