/// Where in a block an activation was read, in TransformerLens's hook names.
public enum Site: String, CaseIterable, Sendable, Codable, Comparable {
    case residPre = "resid_pre"
    case residMid = "resid_mid"
    case attnOut = "attn_out"
    case mlpOut = "mlp_out"
    case residPost = "resid_post"

    /// The TransformerLens hook name for layer `layer`, e.g. `blocks.3.hook_mlp_out`.
    public func hookName(layer: Int) -> String { "blocks.\(layer).hook_\(rawValue)" }

    public static func < (a: Site, b: Site) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }

    /// The largest layer index a dump may hold (no model comes near; bounds every layer loop).
    public static let maximumLayer = 99_999

    /// Parses `blocks.{l}.hook_{site}` into (layer, site).
    public static func parseHookName(_ name: String) -> (layer: Int, site: Site)? {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "blocks", let layer = Int(parts[1]), layer >= 0, layer <= maximumLayer,
              parts[2].hasPrefix("hook_"), let site = Site(rawValue: String(parts[2].dropFirst(5))) else { return nil }
        return (layer, site)
    }
}

/// One layer's activations at one site: a whole dataset (TransformerLens name) or one layer of
/// a stacked [L, N, ...] dataset.
public struct ActivationSource: Equatable, Sendable {
    public let site: Site
    public let layer: Int
    public let path: String
    /// The layer index inside a stacked dataset; nil for a per-layer dataset.
    public let stackedIndex: Int?
    /// The shape of this layer's block: [N, d] or [N, pos, d].
    public let shape: [Int]

    public var rows: Int { shape[0] }
    public var dModel: Int { shape[shape.count - 1] }
    public var positions: Int? { shape.count == 3 ? shape[1] : nil }
}
