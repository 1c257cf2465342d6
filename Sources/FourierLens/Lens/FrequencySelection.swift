/// Which frequencies of the number axis a Fourier filter removes: the paper's bands around a
/// threshold τ, or a set — removed (Nanda et al.'s excluded loss) or kept alone with k = 0
/// (their restricted loss). k runs over 1…p/2; k = 0 (the mean) is never removed.
public enum FrequencySelection: Sendable, Equatable, Codable {
    /// High-pass: remove 1 ≤ k < τ.
    case low(tau: Int)
    /// Low-pass: remove τ ≤ k ≤ p/2 (the spectrum's high band, k ≥ τ).
    case high(tau: Int)
    /// Remove these frequencies.
    case remove([Int])
    /// Keep these frequencies (and k = 0), remove every other.
    case keep([Int])

    /// The removed frequencies over p numbers, ascending.
    public func frequencies(p: Int) -> [Int] {
        let top = p / 2
        switch self {
        case let .low(tau): return Array(1..<max(1, min(tau, top + 1)))
        case let .high(tau): return tau > top ? [] : Array(max(tau, 1)...top)
        case let .remove(set): return Array(Set(set)).sorted()
        case let .keep(set): return top < 1 ? [] : (1...top).filter { !set.contains($0) }
        }
    }

    /// low, high, remove or keep (the CSV's `removed` column).
    public var name: String {
        switch self {
        case .low: return "low"
        case .high: return "high"
        case .remove: return "remove"
        case .keep: return "keep"
        }
    }

    public var tau: Int? {
        switch self {
        case let .low(tau), let .high(tau): return tau
        case .remove, .keep: return nil
        }
    }

    /// "1 ≤ k < 10", "10 ≤ k ≤ 150", "k ∈ {14, 35}", "every k ≥ 1 but {14, 35}".
    public func describe(p: Int) -> String {
        func set(_ values: [Int]) -> String { "{" + values.sorted().map(String.init).joined(separator: ", ") + "}" }
        switch self {
        case let .low(tau): return "1 ≤ k < \(tau)"
        case let .high(tau): return "\(tau) ≤ k ≤ \(p / 2)"
        case let .remove(values): return "k ∈ \(set(values))"
        case let .keep(values): return "every k ≥ 1 but \(set(values))"
        }
    }

    /// A set of frequencies as the CLI takes it: "14,35,41".
    public static func parseSet(_ text: String, option: String, p: Int) throws -> [Int] {
        var values: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let k = Int(part.trimmingCharacters(in: .whitespaces)), (1...max(1, p / 2)).contains(k) else {
                throw FourierLensError.badInput(file: "--\(option)", dataset: "-",
                                                expected: "frequencies k within \(numberRange(1, p / 2)) (p = \(p)), comma-separated, found \"\(part)\" in \"\(text)\"")
            }
            guard !values.contains(k) else {
                throw FourierLensError.badInput(file: "--\(option)", dataset: "-", expected: "each frequency once, found \(k) twice in \"\(text)\"")
            }
            values.append(k)
        }
        return values
    }
}
