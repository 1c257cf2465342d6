import ArgumentParser
import FourierLens

/// A comma-separated option as ArgumentParser reads it: the text as given, parsed into values by
/// its type when the command asks for them. A refusal is thrown where the command checks its
/// options, in the command's own words: ArgumentParser puts its own words before a refusal made
/// while it parses, and studies check a task's options by these messages.
protocol ListOption: ExpressibleByArgument, ExpressibleByStringLiteral {
    var text: String { get }
    init(text: String)
}

extension ListOption {
    init?(argument: String) { self.init(text: argument) }
    init(stringLiteral text: String) { self.init(text: text) }
    /// --help shows a default as it is written.
    var defaultValueDescription: String { text }

    /// The comma-separated parts, trimmed.
    func parts() -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// `--sites`: sites, each once.
struct SiteList: ListOption {
    let text: String

    func values() throws -> [Site] {
        var parsed: [Site] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let site = Site(rawValue: String(name).trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--sites takes resid_pre, resid_mid, attn_out, mlp_out, resid_post, comma-separated (found \"\(name)\" in \"\(text)\")")
            }
            guard !parsed.contains(site) else { throw ValidationError("--sites names \(site.rawValue) twice (found \(text))") }
            parsed.append(site)
        }
        return parsed
    }
}

/// `--layers`: "0-5", "0,2,4" or "1-3,7" → [0, 1, ...]: layers from 0, each named once, at most
/// `maximumLayer` (checked before any list is built, so 0-100000000000 costs nothing).
struct LayerList: ListOption {
    let text: String

    func values(maximumLayer: Int = Site.maximumLayer) throws -> [Int] {
        func refuse(_ why: String) -> ValidationError {
            ValidationError("--layers takes layers from 0 such as 0-5 or 0,2,4; \(why) (found \(text))")
        }
        var layers: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
                .map { UInt($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ $0 != nil }) else {
                throw refuse("\"\(part)\" is not a layer nor a range")
            }
            let (low, high) = (bounds.first!!, bounds.last!!)
            guard low <= high else { throw refuse("\(part) runs backwards") }
            guard high <= UInt(maximumLayer) else { throw refuse("no model has layer \(high)") }
            for layer in Int(low)...Int(high) {
                guard !layers.contains(layer) else { throw refuse("layer \(layer) is named twice") }
                layers.append(layer)
            }
        }
        return layers
    }
}

/// `--periods`, `--fourier-periods` and `--key-periods`: periods greater than 1.
struct PeriodList: ListOption {
    let text: String

    /// The refusal names `option` and shows `example`; `finite` refuses an infinite period too.
    func values(option: String, example: String = "2,5,10,100", finite: Bool = false) throws -> [Double] {
        let periods = parts().map { Double($0) }
        guard !periods.isEmpty, periods.allSatisfy({ $0 != nil && $0! > 1 && (!finite || $0!.isFinite) }) else {
            throw ValidationError("\(option) takes periods greater than 1, such as \(example) (found \(text))")
        }
        return periods.map { $0! }
    }
}

/// `--probes`: value, modM, helix and fourier, or none.
struct ProbeList: ListOption {
    let text: String

    var isNone: Bool { text == "none" }

    func values() throws -> [String] {
        let names = parts()
        for name in names where Probe(name) == nil {
            throw ValidationError("--probes takes value, modM (m ≥ 2), helix and fourier; found \(name)")
        }
        return names
    }
}

/// `--rho`: noise-stability correlations in [−1, 1].
struct CorrelationList: ListOption {
    let text: String

    func values() throws -> [Double] {
        let rhos = parts().map { Double($0) }
        guard !rhos.isEmpty, rhos.allSatisfy({ $0 != nil && abs($0!) <= 1 }) else {
            throw ValidationError("--rho takes correlations in [−1, 1], such as 0.5,0.9 (found \(text))")
        }
        return rhos.map { $0! }
    }
}

/// `--columns`: output columns by name or index (BooleanRun resolves them).
struct ColumnList: ListOption {
    let text: String

    var values: [String] { parts() }
}
