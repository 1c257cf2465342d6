/// The text reports show for token ids: the vocabulary's strings (/vocabulary/strings, every id),
/// and the number tokens' strings (/tokens/strings) for dumps that carry only those.
public enum TokenText {
    public static func load(file: HDF5File, dump: Dump) throws -> [Int64: String] {
        var strings: [Int64: String] = [:]
        if let ids = dump.tokenIDs, let text = dump.tokenStrings {
            for (id, s) in zip(try file.readIntegers(ids.path), try file.readStrings(text.path)) { strings[id] = s }
        }
        if let vocabulary = dump.vocabularyStrings {
            for (id, s) in try file.readStrings(vocabulary.path).enumerated() { strings[Int64(id)] = s }
        }
        return strings
    }
}
