import FourierLens
import Yams

/// A node of a study spec with the key path that reached it ("analyses[2].options.tau"), so
/// every complaint names the file, the line and the key.
struct SpecNode {
    let node: Node
    let path: String
    let file: String

    var line: Int { node.mark?.line ?? 1 }

    func error(_ expected: String) -> FourierLensError {
        .badInput(file: "\(file):\(line)", dataset: path.isEmpty ? "(top level)" : path, expected: expected)
    }

    func child(_ key: String, _ node: Node) -> SpecNode {
        SpecNode(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file)
    }

    /// The entries of a mapping, in the order written; a key outside `allowed` (when given) or
    /// written twice is refused at its own line.
    func mapping(allowed: [String]? = nil) throws -> [(key: String, value: SpecNode)] {
        guard case let .mapping(mapping) = node else { throw error("a mapping of keys to values") }
        var seen = Set<String>()
        var entries: [(key: String, value: SpecNode)] = []
        for (keyNode, valueNode) in mapping {
            let keyAt = SpecNode(node: keyNode, path: path, file: file)
            guard case let .scalar(scalar) = keyNode else { throw keyAt.error("keys that are plain names") }
            let key = scalar.string
            if let allowed, !allowed.contains(key) {
                throw child(key, keyNode).error("one of the keys \(allowed.joined(separator: ", ")) (unknown key \"\(key)\")")
            }
            guard seen.insert(key).inserted else { throw child(key, keyNode).error("each key once (\"\(key)\" is repeated)") }
            entries.append((key, child(key, valueNode)))
        }
        return entries
    }

    func sequence() throws -> [SpecNode] {
        guard case let .sequence(sequence) = node else { throw error("a list") }
        return sequence.enumerated().map { index, node in
            SpecNode(node: node, path: "\(path)[\(index)]", file: file)
        }
    }

    /// A list, or one value standing for a list of one.
    func list() throws -> [SpecNode] {
        if case .sequence = node { return try sequence() }
        return [self]
    }

    /// A scalar as written (numbers and booleans as their text).
    func scalar() throws -> String {
        guard case let .scalar(scalar) = node else { throw error("a single value, not a list or mapping") }
        return scalar.string
    }

    func string() throws -> String {
        let text = try scalar()
        guard !text.isEmpty else { throw error("a non-empty text") }
        return text
    }

    func int(in range: ClosedRange<Int>) throws -> Int {
        guard case .scalar = node, let value = node.int, range.contains(value) else {
            throw error("a whole number from \(range.lowerBound) to \(range.upperBound) (found \(describe))")
        }
        return value
    }

    func bool() throws -> Bool {
        guard case .scalar = node, let value = node.bool else { throw error("true or false (found \(describe))") }
        return value
    }

    /// What was written, for messages.
    var describe: String {
        switch node {
        case let .scalar(scalar): return "\"\(scalar.string)\""
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }
}
