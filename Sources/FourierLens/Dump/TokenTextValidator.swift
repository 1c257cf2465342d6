/// Checks the roles that carry token text: /vocabulary/strings (one string per token id of the
/// vocabulary) and /prompts/tokens (the token at each prompt's readout position, [N], or at every
/// position, [N × pos], matching [N, pos, d] activations). One line per problem.
struct TokenTextValidator {
    let dump: Dump
    let file: HDF5File

    func validate(into dump: inout Dump) {
        dump.problems += problems()
    }

    private func problems() -> [FourierLensError] {
        var found: [FourierLensError] = []
        func problem(_ info: DatasetInfo, _ expected: String) {
            found.append(.badInput(file: dump.path, dataset: info.path, expected: expected))
        }
        for info in [dump.vocabularyStrings, dump.promptTokens].compactMap({ $0 }) where !info.elementType.isString {
            problem(info, "strings, found \(info.elementType)")
            return found
        }
        if let strings = dump.vocabularyStrings {
            if strings.rank != 1 {
                problem(strings, "one string per token id [vocab], found \(strings.rank)-D \(strings.shapeDescription)")
            } else if let needed = vocabularyNeeded(), strings.shape[0] < needed {
                problem(strings, "a string for every token id 0..<\(needed) (the unembedding's vocabulary), found \(strings.shape[0])")
            }
        }
        if let tokens = dump.promptTokens {
            let sources = dump.activations.values.flatMap { $0.values }
            let rows = Set(sources.map(\.rows)), positions = Set(sources.compactMap(\.positions))
            if tokens.rank != 1 && tokens.rank != 2 {
                problem(tokens, "the token read per prompt [N] or every position's token [N × pos], found \(tokens.rank)-D \(tokens.shapeDescription)")
            } else if rows.count == 1, tokens.shape[0] != rows.first! {
                problem(tokens, "\(rows.first!) rows (as the activations), found \(tokens.shapeDescription)")
            } else if tokens.rank == 2, positions.count == 1, tokens.shape[1] != positions.first! {
                problem(tokens, "\(positions.first!) positions (as the [N × pos × d] activations), found \(tokens.shapeDescription)")
            } else if tokens.rank == 2, positions.isEmpty, !sources.isEmpty {
                problem(tokens, "[N] (one token per prompt) for activations read at one position, found \(tokens.shapeDescription)")
            }
        }
        return found
    }

    /// The number of token ids the strings must cover: W_U's columns, or past the largest restricted column id.
    private func vocabularyNeeded() -> Int? {
        if let ids = dump.vocabularyIDs, let read = try? file.readIntegers(ids.path) { return read.map { Int($0) + 1 }.max() }
        if let wu = dump.unembedding, wu.rank == 2 { return wu.shape[1] }
        return nil
    }
}
