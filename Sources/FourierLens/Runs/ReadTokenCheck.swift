import Foundation

/// Whether a lens reads the answer itself: prompts whose token at the readout position is their
/// own answer ("There are 150 apples." read at "150", answer 150). There the lens's accuracy
/// measures how much of the input token each layer keeps, not a prediction the model computed.
public struct ReadTokenCheck: Sendable, Equatable, Codable {
    /// Prompts whose token at the readout position is their answer.
    public let matching: Int
    public let prompts: Int
    /// One such prompt and its token, for the sentence.
    public let example: (text: String, token: String)?

    public static func == (a: ReadTokenCheck, b: ReadTokenCheck) -> Bool {
        a.matching == b.matching && a.prompts == b.prompts && a.example?.text == b.example?.text && a.example?.token == b.example?.token
    }

    /// Most prompts read their own answer.
    public var readsTheAnswer: Bool { prompts > 0 && matching * 2 > prompts }

    /// Compares /prompts/tokens (the token read in each prompt) with /prompts/answer (numbers):
    /// nil when the dump has not both, one per prompt.
    public static func run(file: HDF5File, dump: Dump, range: Range<Int>? = nil) throws -> ReadTokenCheck? {
        guard let tokens = dump.promptTokens, tokens.shape.count == 1, let answers = dump.promptAnswers,
              answers.attributes["kind"]?.string ?? "value" == "value" else { return nil }
        let read = try file.readStrings(tokens.path), values = try file.readIntegers(answers.path)
        guard read.count == values.count else { return nil }
        let texts = try dump.promptText.map { try file.readStrings($0.path) } ?? []
        let rows = range ?? 0..<read.count
        let matching = rows.filter { read[$0].trimmingCharacters(in: .whitespaces) == String(values[$0]) }
        let example = matching.first.map { (text: $0 < texts.count ? texts[$0] : "", token: read[$0].trimmingCharacters(in: .whitespaces)) }
        return ReadTokenCheck(matching: matching.count, prompts: rows.count, example: example)
    }

    /// Shards' checks as one run's over all their prompts (the first example found).
    public static func combined(_ parts: [ReadTokenCheck]) -> ReadTokenCheck? {
        guard !parts.isEmpty else { return nil }
        return ReadTokenCheck(matching: parts.reduce(0) { $0 + $1.matching }, prompts: parts.reduce(0) { $0 + $1.prompts },
                              example: parts.lazy.compactMap(\.example).first)
    }

    /// summary.json keeps it as `read_token_is_answer`, so a merge and a study read it back.
    enum CodingKeys: String, CodingKey { case prompts_matching, prompts, example_text, example_token }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(matching, forKey: .prompts_matching)
        try container.encode(prompts, forKey: .prompts)
        try container.encodeIfPresent(example?.text, forKey: .example_text)
        try container.encodeIfPresent(example?.token, forKey: .example_token)
    }

    /// Back from summary.json (a count out of range is a malformed record).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let matching = try container.decode(Int.self, forKey: .prompts_matching), prompts = try container.decode(Int.self, forKey: .prompts)
        guard matching >= 0, prompts >= matching else {
            throw DecodingError.dataCorruptedError(forKey: .prompts_matching, in: container, debugDescription: "\(matching) of \(prompts) prompts")
        }
        let text = try container.decodeIfPresent(String.self, forKey: .example_text)
        let token = try container.decodeIfPresent(String.self, forKey: .example_token)
        self.init(matching: matching, prompts: prompts, example: text.flatMap { text in token.map { (text: text, token: $0) } })
    }

    public init(matching: Int, prompts: Int, example: (text: String, token: String)?) {
        (self.matching, self.prompts, self.example) = (matching, prompts, example)
    }

    /// The warning a page shows when most prompts read their own answer.
    public var sentence: String? {
        guard readsTheAnswer else { return nil }
        let instance = example.map { $0.text.isEmpty ? " (the token “\($0.token)”)" : " (“\($0.text)” read at “\($0.token)”)" } ?? ""
        return "In \(matching) of \(prompts) prompts the token read is the answer itself\(instance): the accuracy measures how much of the input token each layer keeps, not a prediction the model computed."
    }
}
