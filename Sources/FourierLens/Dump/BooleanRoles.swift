/// Where the schema's boolean/ roles live in a dump (docs/SCHEMA.md): Dump maps them, the
/// Boolean folder reads them.
public enum BooleanRoles {
    public static let group = "/boolean"
    public static let inputsPath = "/boolean/inputs"
    public static let outputsPath = "/boolean/outputs"
    public static let outputNamesPath = "/boolean/output_names"
    public static let activationsGroup = "/boolean/acts"
    public static let flipPairsPath = "/boolean/flip_pairs"

    /// The layer of a dataset with a TransformerLens name (…/blocks.L.…), if it has one.
    public static func layer(in path: String) -> Int? {
        let name = lastComponent(path)
        guard name.hasPrefix("blocks.") else { return nil }
        return Int(name.dropFirst("blocks.".count).prefix { $0.isNumber })
    }

    static func lastComponent(_ path: String) -> String { String(path.split(separator: "/").last ?? Substring(path)) }
}
