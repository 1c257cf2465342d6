/// Checks a dump's roles against each other: ranks, lengths, d_model, vocabulary, uniqueness.
/// Each problem is one line naming the dataset and what was expected.
struct DumpValidator {
    let dump: Dump
    let file: HDF5File
    private var problems: [FourierLensError] = []
    private var warnings: [String] = []

    init(dump: Dump, file: HDF5File) {
        self.dump = dump
        self.file = file
    }

    func validate(into dump: inout Dump) {
        var validator = self
        validator.run()
        dump.problems += validator.problems
        dump.warnings += validator.warnings
    }

    private mutating func problem(_ info: DatasetInfo?, _ expected: String, at path: String? = nil) {
        problems.append(.badInput(file: dump.path, dataset: path ?? info?.path ?? "/", expected: expected))
    }

    private mutating func run() {
        checkSchemaAttribute()
        checkRootCounts()
        checkTypes()
        guard problems.isEmpty else { return }  // shapes of unreadable roles say nothing more
        let vocabulary = checkWeights()
        checkTokens(vocabulary: vocabulary)
        checkActivations()
        checkPrompts(vocabulary: vocabulary)
        checkDModel()
    }

    private mutating func checkSchemaAttribute() {
        switch dump.rootAttributes["schema"] {
        case nil: warnings.append("no root attribute schema; read as \(Dump.schemaName)")
        case let value?:
            if value.string != Dump.schemaName {
                problem(nil, "root attribute schema = \"\(Dump.schemaName)\", found \"\(value)\"", at: "/")
            }
        }
    }

    /// d_model and n_layers, when present, are whole numbers ≥ 1 (not NaN, 1e300 or "sixteen").
    private mutating func checkRootCounts() {
        for name in ["d_model", "n_layers"] {
            guard let value = dump.rootAttributes[name] else { continue }
            if let n = value.wholeNumber, n >= 1, n <= 1 << 24 { continue }
            problem(nil, "root attribute \(name) a whole number from 1 to \(1 << 24), found \(value)", at: "/")
        }
    }

    /// Every role must hold a type FourierLens can read, of the right kind.
    private mutating func checkTypes() {
        let integerRoles = [dump.tokenIDs, dump.tokenValues, dump.promptAnswers, dump.promptValues,
                            dump.vocabularyIDs, dump.promptPositions]
        let stringRoles = [dump.tokenStrings, dump.promptText]
        let floatRoles = [dump.embeddings, dump.unembedding, dump.unembeddingBias, dump.finalNormWeight,
                          dump.finalNormBias, dump.finalScale]
            + Set(dump.activations.values.flatMap { $0.values.map(\.path) }).sorted().map { dump.dataset($0) }
        for info in integerRoles.compactMap({ $0 }) {
            if case .integer = info.elementType { continue }
            problem(info, "integers, found \(info.elementType)")
        }
        for info in stringRoles.compactMap({ $0 }) where !info.elementType.isString {
            problem(info, "strings, found \(info.elementType)")
        }
        for info in floatRoles.compactMap({ $0 }) where !info.elementType.isNumeric {
            problem(info, "float16, bfloat16, float32 or float64 values, found \(info.elementType)")
        }
        for info in dump.datasets where !floatRoles.contains(info) {
            if case let .unsupported(what) = info.elementType, !dump.unrecognised.contains(info.path) {
                problem(info, "a supported dtype, found \(what)")
            }
        }
    }

    private mutating func expectRank(_ info: DatasetInfo?, _ rank: Int, _ description: String) -> Bool {
        guard let info else { return false }
        if info.rank != rank {
            problem(info, "\(description), found \(info.rank)-D \(info.shapeDescription)")
            return false
        }
        return true
    }

    /// Returns the vocabulary size when W_U says it.
    private mutating func checkWeights() -> Int? {
        _ = expectRank(dump.embeddings, 2, "embeddings [tokens × d_model]")
        var vocabulary: Int? = nil
        if expectRank(dump.unembedding, 2, "unembedding W_U [d_model × vocab]") {
            let shape = dump.unembedding!.shape
            if let d = declaredDModel, shape[0] != d, shape[1] == d {
                problem(dump.unembedding, "W_U [d_model × vocab] = [\(d) × vocab], found \(dump.unembedding!.shapeDescription): it looks transposed ([vocab × d_model]); store its transpose")
            } else {
                vocabulary = shape[1]
            }
        }
        if expectRank(dump.vocabularyIDs, 1, "the token id of each W_U column [vocab]") {
            let count = dump.vocabularyIDs!.shape[0]
            if let v = vocabulary, count != v {
                problem(dump.vocabularyIDs, "one token id per W_U column (\(v)), found \(count)")
            }
            if let ids = try? file.readIntegers(dump.vocabularyIDs!.path), Set(ids).count != ids.count {
                problem(dump.vocabularyIDs, "unique token ids")
            }
            vocabulary = nil  // columns are no longer token ids 0..<V
        }
        if expectRank(dump.unembeddingBias, 1, "bias b_U [vocab]"), let v = dump.unembedding?.shape.last,
           dump.unembedding?.rank == 2, dump.unembeddingBias!.shape[0] != v {
            problem(dump.unembeddingBias, "b_U of length \(v) (W_U's vocabulary), found \(dump.unembeddingBias!.shape[0])")
        }
        for norm in [dump.finalNormWeight, dump.finalNormBias] {
            _ = expectRank(norm, 1, "final norm parameters [d_model]")
        }
        if let weight = dump.finalNormWeight {
            let kind = weight.attributes["kind"]?.string?.lowercased()
            if kind != "layernorm" && kind != "rmsnorm" {
                problem(weight, "attribute kind = layernorm or rmsnorm, found \(kind.map { "\"\($0)\"" } ?? "none")")
            }
            if let eps = weight.attributes["eps"], !(eps.number.map { $0 > 0 && $0.isFinite } ?? false) {
                problem(weight, "attribute eps a finite positive number, found \(eps)")
            }
        }
        if let wu = dump.unembedding, let cap = wu.attributes["softcap"], !(cap.number.map { $0 > 0 && $0.isFinite } ?? false) {
            problem(wu, "attribute softcap a finite positive number, found \(cap)")
        }
        return vocabulary
    }

    private mutating func checkTokens(vocabulary: Int?) {
        let tokenRoles = [dump.tokenIDs, dump.tokenValues, dump.tokenStrings].compactMap { $0 }
        for info in tokenRoles { _ = expectRank(info, 1, "a 1-D list of number tokens") }
        let lengths = Set(tokenRoles.filter { $0.rank == 1 }.map { $0.shape[0] })
        if lengths.count > 1 {
            let listing = tokenRoles.map { "\($0.path) \($0.shapeDescription)" }.joined(separator: ", ")
            problem(nil, "/tokens/ids, values and strings of one length, found \(listing)", at: "/tokens")
            return
        }
        if let values = dump.tokenValues, values.rank == 1, let read = try? file.readIntegers(values.path) {
            var seen: [Int64: Int] = [:]
            for (index, value) in read.enumerated() {
                if let first = seen[value] {
                    // Two tokens may spell one number: spectra refuse it unless --average, probes average.
                    warnings.append("\(values.path): the number \(value) appears at rows \(first) and \(index); spectra need --average (the mean of each number's rows)")
                    break
                }
                seen[value] = index
            }
        }
        if let ids = dump.tokenIDs, ids.rank == 1, let read = try? file.readIntegers(ids.path) {
            if let columns = vocabularyColumns {
                if let bad = read.firstIndex(where: { !columns.contains($0) }) {
                    problem(ids, "token ids among /weights/vocab_ids (the columns of W_U), found \(read[bad]) at row \(bad)")
                }
            } else if let limit = vocabulary ?? embeddingsCoverVocabulary(),
                      let bad = read.firstIndex(where: { $0 < 0 || $0 >= limit }) {
                problem(ids, "token ids within the vocabulary \(indexRange(limit)), found \(read[bad]) at row \(bad)")
            }
        }
        if let embeddings = dump.embeddings, embeddings.rank == 2, let p = lengths.first {
            let rows = embeddings.shape[0]
            if rows != p && dump.tokenIDs == nil {
                problem(embeddings, "one row per number token (\(p) rows, as /tokens), or /tokens/ids to pick them from \(rows) rows")
            } else if let v = vocabulary, rows != p && rows != v {
                problem(embeddings, "\(p) rows (the number tokens) or \(v) rows (the vocabulary), found \(rows)")
            }
        }
    }

    /// d_model as the root attribute or W_E says it, before any cross-check.
    private var declaredDModel: Int? {
        if let d = dump.rootAttributes["d_model"]?.wholeNumber { return d }
        if let e = dump.embeddings, e.rank == 2 { return e.shape[1] }
        return nil
    }

    /// The token ids of W_U's columns when /weights/vocab_ids restricts it (nil: W_U is the whole vocabulary).
    private var vocabularyColumns: Set<Int64>? {
        guard let info = dump.vocabularyIDs, info.rank == 1, let ids = try? file.readIntegers(info.path) else { return nil }
        return Set(ids)
    }

    /// A full-vocabulary W_E (more rows than number tokens) bounds the token ids when W_U is absent.
    private func embeddingsCoverVocabulary() -> Int? {
        guard let e = dump.embeddings, e.rank == 2, let ids = dump.tokenIDs, ids.rank == 1, e.shape[0] > ids.shape[0] else { return nil }
        return e.shape[0]
    }

    private mutating func checkActivations() {
        var rowCounts: [Int: String] = [:]
        for site in dump.sites {
            let layers = dump.activations[site]!.keys.sorted()
            if layers != Array(0..<layers.count) {
                let missing = Set(0...(layers.last ?? 0)).subtracting(layers).sorted()
                problem(nil, "layers \(indexRange(layers.last! + 1)) for site \(site.rawValue), missing \(missing.map(String.init).joined(separator: ", "))", at: "/acts")
            }
            for source in dump.activations[site]!.values { rowCounts[source.rows] = source.path }
        }
        if rowCounts.count > 1 {
            let listing = rowCounts.sorted { $0.key < $1.key }.map { "\($0.value) has \($0.key)" }.joined(separator: ", ")
            problem(nil, "one prompt count N across all activations, found \(listing)", at: "/acts")
        }
        if let nLayers = dump.rootAttributes["n_layers"]?.wholeNumber, !dump.layers.isEmpty, dump.layers.count > nLayers {
            if dump.layers.count == nLayers + 1 {
                problem(nil, "n_layers = \(nLayers) layers, found \(nLayers + 1): this looks like Hugging Face hidden_states (index 0 is the embeddings); store hidden_states[i + 1] as blocks.{i}.hook_resid_post (docs/SCHEMA.md)", at: "/acts")
            } else {
                problem(nil, "at most n_layers = \(nLayers) layers, found \(dump.layers.count)", at: "/acts")
            }
        }
        warnIfLastLayerIsNormalised()
        if let scale = dump.finalScale {
            let ok = scale.rank == 1 || scale.rank == 2 || (scale.rank == 3 && scale.shape[2] == 1)
            if !ok { problem(scale, "the final norm scale [N] or [N × pos], found \(scale.rank)-D \(scale.shapeDescription)") }
            if let n = rowCounts.keys.first, rowCounts.count == 1, scale.shape.first != n {
                problem(scale, "\(n) rows (as the activations), found \(scale.shapeDescription)")
            }
        }
    }

    /// Hugging Face's last hidden_states entry is the final norm's output, not the last block's
    /// residual stream: stored as the last resid_post it would be normalised twice by the lens.
    /// Detected when every row, undone by ln_final's weight and bias, has mean 0 and variance 1
    /// (layernorm) or mean square 1 (rmsnorm).
    private mutating func warnIfLastLayerIsNormalised() {
        guard let weightInfo = dump.finalNormWeight, weightInfo.rank == 1, let (kind, _) = dump.finalNorm,
              let last = dump.activations[.residPost]?.keys.max(), let source = dump.activations[.residPost]?[last],
              let info = dump.dataset(source.path), info.storesItsValues, info.elementCount <= 1 << 24,
              let weight = try? file.readVector(weightInfo.path), weight.count == source.dModel, weight.allSatisfy({ $0 != 0 }),
              let values = try? file.readFloats(source.path), !values.isEmpty else { return }
        let bias = (try? dump.finalNormBias.map { try file.readVector($0.path) }) ?? nil
        let d = source.dModel
        let layers = source.stackedIndex == nil ? 1 : info.shape[0]
        let perLayer = values.count / layers
        let rows = values[(source.stackedIndex ?? 0) * perLayer ..< ((source.stackedIndex ?? 0) + 1) * perLayer]
        var normalised = true
        for start in stride(from: rows.startIndex, to: rows.endIndex, by: d) where normalised {
            let x = (0..<d).map { j in Double(rows[start + j]) - Double(bias?[j] ?? 0) }.enumerated().map { $1 / Double(weight[$0]) }
            let mean = x.reduce(0, +) / Double(d)
            let square = x.reduce(0) { $0 + $1 * $1 } / Double(d)
            normalised = kind == "rmsnorm" ? abs(square - 1) < 1e-2 : abs(mean) < 1e-2 && abs(square - mean * mean - 1) < 1e-2
        }
        if normalised {
            warnings.append("\(source.path): every row looks like the final norm's output (Hugging Face's last hidden_states); store the last block's residual stream, before the final norm, as layer \(last) (docs/SCHEMA.md)")
        }
    }

    private mutating func checkPrompts(vocabulary: Int?) {
        let promptRoles = [dump.promptText, dump.promptAnswers, dump.promptValues, dump.promptPositions].compactMap { $0 }
        for info in promptRoles { _ = expectRank(info, 1, "one entry per prompt") }
        var counts = Set(promptRoles.filter { $0.rank == 1 }.map { $0.shape[0] })
        let activationRows = Set(dump.activations.values.flatMap { $0.values.map(\.rows) })
        if activationRows.count == 1 { counts.formUnion(activationRows) }
        if counts.count > 1 {
            let listing = (promptRoles.map { "\($0.path) \($0.shapeDescription)" }
                + (activationRows.count == 1 ? ["activations with \(activationRows.first!) rows"] : [])).joined(separator: ", ")
            problem(nil, "one entry per prompt everywhere, found \(listing)", at: "/prompts")
        }
        guard let answers = dump.promptAnswers, answers.rank == 1, let read = try? file.readIntegers(answers.path) else { return }
        let kind = answers.attributes["kind"]?.string ?? "value"
        switch kind {
        case "value":
            if let values = dump.tokenValues, let known = try? file.readIntegers(values.path) {
                let set = Set(known)
                if let bad = read.firstIndex(where: { !set.contains($0) }) {
                    let count = read.reduce(0) { $0 + (set.contains($1) ? 0 : 1) }
                    warnings.append("\(answers.path): \(count) of \(read.count) answers are not among /tokens/values (first \(read[bad]) at row \(bad)); lens and filter leave those prompts out of the number accuracies and count them")
                }
            }
        case "token_id":
            if let columns = vocabularyColumns, let bad = read.firstIndex(where: { !columns.contains($0) }) {
                problem(answers, "answer token ids among /weights/vocab_ids, found \(read[bad]) at row \(bad)")
            } else if vocabularyColumns == nil, let v = vocabulary, let bad = read.firstIndex(where: { $0 < 0 || $0 >= v }) {
                problem(answers, "token ids within the vocabulary \(indexRange(v)), found \(read[bad]) at row \(bad)")
            }
        default:
            problem(answers, "attribute kind = value or token_id, found \"\(kind)\"")
        }
    }

    /// d_model must agree across W_E, W_U, the final norm, every activation and the root attribute.
    private mutating func checkDModel() {
        var claims: [(String, Int)] = []
        if let d = dump.rootAttributes["d_model"]?.wholeNumber { claims.append(("root attribute d_model", d)) }
        if let e = dump.embeddings, e.rank == 2 { claims.append((e.path, e.shape[1])) }
        if let u = dump.unembedding, u.rank == 2 { claims.append((u.path, u.shape[0])) }
        if let w = dump.finalNormWeight, w.rank == 1 { claims.append((w.path, w.shape[0])) }
        if let b = dump.finalNormBias, b.rank == 1 { claims.append((b.path, b.shape[0])) }
        for path in Set(dump.activations.values.flatMap { $0.values.map(\.path) }).sorted() {
            if let info = dump.dataset(path), let d = info.shape.last { claims.append((path, d)) }
        }
        guard let (firstName, firstD) = claims.first else { return }
        for (name, d) in claims.dropFirst() where d != firstD {
            problem(nil, "d_model = \(firstD) (from \(firstName)), found \(d)", at: name)
            return
        }
    }
}
