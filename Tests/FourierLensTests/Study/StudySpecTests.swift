import Foundation
import FourierLens
import FourierLensStudy
import Testing

/// The study spec (docs/STUDIES.md): every key, its default, and every error with its line.
@Suite struct StudySpecTests {
    static let file = "/work/study/probes/s.yaml"

    @Test func everyKeyIsRead() throws {
        let spec = try StudySpec.parse("""
        title: A study
        question: Does it?
        description: Longer words.
        dumps:
          pre:
            path: data/x.h5
            role: pretrained
          other:
            path: /abs/y.h5
          noise:
            random: matched-gaussian
            of: pre
          shuffled:
            random: permute
            of: pre
        analyses:
          - kind: compare
            name: cmp
            dumps: [pre]
            against: noise
            datasets: [embeddings, unembedding, /acts/blocks.0.hook_mlp_out]
            sites: [resid_post, mlp_out]
            layers: 0-2
            options:
              center: true
              fdr: 0.1
              key-periods: [2, 2.5, 5]
              allow-gaps: false
          - kind: lens
            dumps: pre
            sites: resid_post
            layers: [0, 3]
            shards: 4
            grid:
              norm: [none, cached]
              top-k: [5, 10]
          - kind: lens
            layers: all
        summary:
          findings: 5
          charts: false
        """, file: Self.file)
        #expect(spec.title == "A study" && spec.question == "Does it?" && spec.description == "Longer words.")
        #expect(spec.dumps.map(\.name) == ["pre", "other", "noise", "shuffled"])
        #expect(spec.dumps[0].path == "/work/study/probes/data/x.h5" && spec.dumps[0].role == "pretrained")
        #expect(spec.dumps[1].path == "/abs/y.h5" && spec.dumps[1].role == "other", "role defaults to the name")
        #expect(spec.dumps[2].random == "gaussian" && spec.dumps[2].of == "pre" && spec.dumps[2].path == nil)
        #expect(spec.dumps[3].random == "permute")
        let compare = spec.analyses[0]
        #expect(compare.kind.rawValue == "compare" && compare.name == "cmp" && compare.dumps == ["pre"] && compare.against == "noise")
        #expect(compare.datasets == ["embeddings", "unembedding", "/acts/blocks.0.hook_mlp_out"])
        #expect(compare.sites == ["resid_post", "mlp_out"] && compare.layers == [0, 1, 2])
        #expect(compare.options.map(\.flag) == ["center", "fdr", "key-periods"], "false flags are left out")
        #expect(compare.options[0].value == nil && compare.options[1].value == "0.1" && compare.options[2].value == "2,2.5,5")
        #expect(compare.options.map(\.line) == [25, 26, 27])
        let lens = spec.analyses[1]
        #expect(lens.name == "lens" && lens.dumps == ["pre"] && lens.sites == ["resid_post"] && lens.layers == [0, 3] && lens.shards == 4)
        #expect(lens.grid.map(\.flag) == ["norm", "top-k"] && lens.grid[1].values == ["5", "10"])
        #expect(spec.analyses[2].name == "lens-2" && spec.analyses[2].layers == nil, "a repeated kind is numbered; all is every layer")
        #expect(spec.findingsPerTask == 5 && spec.charts == false)
    }

    @Test func patchReadsItsFilterAnalysisAndModel() throws {
        let spec = try StudySpec.parse("""
        title: T
        dumps:
          d:
            path: d.h5
        models:
          m: model
        analyses:
          - kind: filter
            name: f
            options:
              joint: true
          - kind: patch
            filters: f
            options:
              batch-size: 8
        """, file: Self.file)
        #expect(spec.models.map(\.name) == ["m"] && spec.models[0].path == "/work/study/probes/model")
        let patch = spec.analyses[1]
        #expect(patch.kind.rawValue == "patch" && patch.filters == "f" && patch.model == nil && spec.model(of: patch)?.name == "m")
        #expect(patch.options.map(\.flag) == ["batch-size"])
    }

    @Test func defaults() throws {
        let spec = try StudySpec.parse("title: T\ndumps:\n  d:\n    path: d.h5\nanalyses:\n  - kind: spectrum\n", file: Self.file)
        #expect(spec.question == nil && spec.description == nil && spec.findingsPerTask == 3 && spec.charts)
        let analysis = spec.analyses[0]
        #expect(analysis.name == "spectrum" && analysis.dumps == nil && analysis.datasets == nil && analysis.sites == nil)
        #expect(analysis.layers == nil && analysis.options.isEmpty && analysis.grid.isEmpty && analysis.shards == 1)
        #expect(spec.dumps(of: analysis).map(\.name) == ["d"])
    }

    static let base = "title: T\ndumps:\n  d:\n    path: d.h5\n  r:\n    random: gaussian\n    of: d\nanalyses:\n"

    /// (spec text, the line, fragments of the one error line)
    static let errors: [(String, Int, [String])] = [
        ("titel: T\n", 1, ["titel: expected", "unknown key \"titel\""]),
        ("question: Q\ndumps:\n  d:\n    path: d.h5\nanalyses:\n  - kind: lens\n", 1, ["a \"title\" key"]),
        ("title: T\ndumps:\n  d:\n    path: d.h5\n    rol: x\nanalyses:\n  - kind: lens\n", 5, ["dumps.d.rol", "unknown key \"rol\""]),
        ("title: T\ndumps:\n  d:\n    path: d.h5\n    random: gaussian\n    of: d\nanalyses:\n  - kind: lens\n", 4, ["dumps.d", "either a \"path\" or \"random\""]),
        ("title: T\ndumps:\n  d:\n    path: d.h5\n  r:\n    random: gaussian\nanalyses:\n  - kind: lens\n", 6, ["dumps.r", "\"of\""]),
        ("title: T\ndumps:\n  d:\n    path: d.h5\n  r:\n    random: uniform\n    of: d\nanalyses:\n  - kind: lens\n", 6, ["dumps.r.random", "matched-gaussian", "\"uniform\""]),
        ("title: T\ndumps:\n  d:\n    path: d.h5\n  r:\n    random: gaussian\n    of: q\nanalyses:\n  - kind: lens\n", 6, ["dumps.r.of", "\"q\""]),
        ("title: T\ndumps:\n  d e:\n    path: d.h5\nanalyses:\n  - kind: lens\n", 4, ["letters, digits"]),
        ("title: T\ndumps: {}\nanalyses:\n  - kind: lens\n", 2, ["at least one dump"]),
        (base + "  - kind: lens\n    sties: [resid_post]\n", 10, ["analyses[0].sties", "unknown key \"sties\""]),
        (base + "  - name: x\n", 9, ["analyses[0]", "a \"kind\""]),
        (base + "  - kind: spectra\n", 9, ["analyses[0].kind", "\"spectra\""]),
        (base + "  - kind: lens\n    name: a\n  - kind: probe\n    name: a\n", 12, ["analyses[1].name", "\"a\" is taken"]),
        (base + "  - kind: lens\n    sites: [resid]\n", 10, ["analyses[0].sites[0]", "\"resid\""]),
        (base + "  - kind: lens\n    layers: 3-1\n", 10, ["analyses[0].layers", "a range such as 0-5"]),
        (base + "  - kind: lens\n    layers: [1, 1]\n", 10, ["analyses[0].layers", "each layer once"]),
        (base + "  - kind: lens\n    shards: 0\n", 10, ["analyses[0].shards", "1 to 4096"]),
        (base + "  - kind: spectrum\n    shards: 2\n", 9, ["no \"shards\" for spectrum"]),
        (base + "  - kind: lens\n    shards: 2\n    options:\n      every-position: true\n", 9, ["no shards with every-position"]),
        (base + "  - kind: compare\n", 9, ["\"against\""]),
        (base + "  - kind: spectrum\n    against: r\n", 9, ["no \"against\" for spectrum"]),
        (base + "  - kind: lens\n    datasets: [embeddings]\n", 9, ["no \"datasets\" for lens"]),
        (base + "  - kind: boolean\n    sites: [resid_post]\n", 9, ["no \"sites\" for boolean"]),
        (base + "  - kind: spectrum\n    layers: 0-2\n", 9, ["\"sites\" with \"layers\""]),
        (base + "  - kind: spectrum\n    dumps: [q]\n", 9, ["analyses[0].dumps", "(found \"q\")"]),
        (base + "  - kind: spectrum\n    dumps: [r]\n", 9, ["analyses[0].dumps", "random baseline"]),
        (base + "  - kind: compare\n    against: q\n", 9, ["analyses[0].against", "(found \"q\")"]),
        (base + "  - kind: spectrum\n    options:\n      --center: true\n", 11, ["without its dashes"]),
        (base + "  - kind: spectrum\n    options:\n      out: x\n", 11, ["--out is set by the study runner"]),
        (base + "  - kind: spectrum\n    options:\n      tau: 3\n    grid:\n      tau: [2, 3]\n", 13, ["analyses[0].grid.tau", "given once"]),
        (base + "  - kind: spectrum\n    grid:\n      tau: 3\n", 11, ["analyses[0].grid.tau", "a list"]),
        (base + "  - kind: spectrum\n    options: [center]\n", 10, ["analyses[0].options", "a mapping"]),
        (base + "  - kind: spectrum\nsummary:\n  findings: -1\n", 11, ["summary.findings", "0 to 100"]),
        (base + "  - kind: spectrum\nsummary:\n  charts: maybe\n", 11, ["summary.charts", "true or false"]),
        (base + "  - kind: spectrum\nsummary:\n  table: true\n", 11, ["summary.table", "unknown key"]),
        (base + "  - kind: patch\n", 9, ["analyses[0]", "\"filters\""]),
        (base + "  - kind: lens\n    filters: f\n", 9, ["no \"filters\" for lens"]),
        (base + "  - kind: filter\n    model: m\n", 9, ["no \"model\" for filter"]),
        (base + "  - kind: filter\n    name: f\n  - kind: patch\n    filters: f\n    sites: [mlp_out]\n", 11, ["no \"sites\" for patch"]),
        (base + "  - kind: lens\n    name: f\n  - kind: patch\n    filters: f\n", 11, ["analyses[1].filters", "a filter analysis listed before it"]),
        (base + "  - kind: patch\n    filters: f\n  - kind: filter\n    name: f\n", 9, ["analyses[0].filters", "(found \"f\")"]),
        (base + "  - kind: filter\n    name: f\n  - kind: patch\n    filters: f\n", 11, ["analyses[1].model", "a top-level models: entry"]),
        ("title: T\ndumps:\n  d:\n    path: d.h5\nmodels:\n  a: x\n  b: y\nanalyses:\n  - kind: filter\n    name: f\n  - kind: patch\n    filters: f\n", 11,
         ["analyses[1].model", "one of the models (a, b)"]),
        ("title: T\ndumps:\n  d:\n    path: d.h5\nmodels:\n  a: x\nanalyses:\n  - kind: filter\n    name: f\n  - kind: patch\n    filters: f\n    model: z\n", 10,
         ["analyses[1].model", "(found \"z\")"]),
        ("title: T\ndumps:\n  d:\n    path: d.h5\nmodels: {}\nanalyses:\n  - kind: lens\n", 5, ["models", "at least one model"]),
        ("title: T\ntitle: U\n", 1, ["title", "each key once"]),
        ("title: [T\ndumps: {}\n", 2, ["valid YAML"]),
        ("title: T\n  dumps: x\n", 2, ["valid YAML"]),
        ("- a\n- b\n", 1, ["(top level)", "a mapping"]),
    ]

    @Test(arguments: errors.indices) func errorsNameTheLineAndTheKey(_ index: Int) throws {
        let (text, line, fragments) = Self.errors[index]
        expectBadInput(["s.yaml:\(line):"] + fragments) { _ = try StudySpec.parse(text, file: Self.file) }
    }

    @Test func anEmptyFileIsRefused() {
        expectBadInput(["s.yaml", "the file is empty"]) { _ = try StudySpec.parse("", file: Self.file) }
        expectBadInput(["nowhere.yaml", "a readable study spec"]) { _ = try StudySpec.load("/nonexistent/nowhere.yaml") }
    }

    @Test func sha256MatchesTheStandardVectors() {
        #expect(ContentHash.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(ContentHash.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(ContentHash.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(ContentHash.hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}
